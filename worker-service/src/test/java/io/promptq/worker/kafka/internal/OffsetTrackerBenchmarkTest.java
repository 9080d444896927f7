package io.promptq.worker.kafka.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microbenchmark, run by hand ({@code -Dpromptq.bench=true -Dtest=OffsetTrackerBenchmarkTest}): the ring-based
 * {@link OffsetTracker} against a {@link ConcurrentSkipListSet} of in-flight offsets, for register + out-of-order
 * complete + commit position with up to {@value #WINDOW} records outstanding. Reports a ratio, asserts nothing.
 */
@EnabledIfSystemProperty(named = "promptq.bench", matches = "true")
class OffsetTrackerBenchmarkTest {

    private static final Logger log = LoggerFactory.getLogger(OffsetTrackerBenchmarkTest.class);
    private static final int WINDOW = 60;
    private static final int OPS = 5_000_000;

    @Test
    void ringTrackerAgainstSkipList() {
        int[] order = shuffledWindows();
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            sink += ring(order);
            long t1 = System.nanoTime();
            sink += skipList(order);
            long t2 = System.nanoTime();
            log.info("round {}: ring {} ns/record, skip list {} ns/record, ratio {}", round,
                    String.format("%.1f", (t1 - t0) / (double) OPS), String.format("%.1f", (t2 - t1) / (double) OPS),
                    String.format("%.2f", (t2 - t1) / (double) (t1 - t0)));
        }
        log.info("(checksum {})", sink);
    }

    /** Completion order: within each window of WINDOW records, a random permutation. */
    private static int[] shuffledWindows() {
        Random random = new Random(1);
        List<Integer> window = new ArrayList<>();
        for (int i = 0; i < WINDOW; i++) {
            window.add(i);
        }
        int[] order = new int[OPS];
        for (int base = 0; base + WINDOW <= OPS; base += WINDOW) {
            Collections.shuffle(window, random);
            for (int i = 0; i < WINDOW; i++) {
                order[base + i] = base + window.get(i);
            }
        }
        return order;
    }

    private static long ring(int[] order) {
        OffsetTracker t = new OffsetTracker(WINDOW);
        long sum = 0;
        long[] seqs = new long[WINDOW];
        for (int base = 0; base + WINDOW <= OPS; base += WINDOW) {
            for (int i = 0; i < WINDOW; i++) {
                seqs[i] = t.register(base + i);
            }
            for (int i = 0; i < WINDOW; i++) {
                t.complete(seqs[order[base + i] - base]);
                sum += t.commitPosition();
            }
        }
        return sum;
    }

    private static long skipList(int[] order) {
        ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
        long sum = 0;
        long last = -1;
        for (int base = 0; base + WINDOW <= OPS; base += WINDOW) {
            for (int i = 0; i < WINDOW; i++) {
                inFlight.add((long) base + i);
                last = base + i;
            }
            for (int i = 0; i < WINDOW; i++) {
                inFlight.remove((long) order[base + i]);
                sum += inFlight.isEmpty() ? last + 1 : inFlight.first();
            }
        }
        return sum;
    }
}
