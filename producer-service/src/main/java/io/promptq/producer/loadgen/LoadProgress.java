package io.promptq.producer.loadgen;

import java.time.Duration;

/**
 * A snapshot of a running load: counts so far.
 *
 * @param total jobs the run will publish
 * @param dispatched jobs handed to the target so far
 * @param accepted jobs acknowledged (HTTP 202, or a receipt from Kafka)
 * @param rejected jobs refused or failed
 * @param elapsed time since the run started
 */
public record LoadProgress(long total, long dispatched, long accepted, long rejected, Duration elapsed) {

    /** Jobs answered so far (accepted or rejected). */
    public long completed() {
        return accepted + rejected;
    }

    /** Listener of progress snapshots, called from one thread at the configured interval and once at the end. */
    @FunctionalInterface
    public interface Listener {
        void onProgress(LoadProgress progress);

        /** A listener that ignores progress. */
        static Listener none() {
            return progress -> { };
        }
    }
}
