package io.promptq.aggregator.internal;

import io.promptq.retry.Backoff;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes with {@code delegate} and, while the schema registry is unavailable ({@link RegistryStatus#isRegistryFault}),
 * waits for it with {@code backoff} instead of failing the record. Once the backoff's budget is spent the registry
 * failure is thrown on: {@link ResultDeserializationHandler} then fails the stream thread, which is replaced
 * ({@link ThreadFailurePolicy}) and re-reads the record from the last commit. The budget stays below the
 * exactly-once transaction timeout, so a wait never aborts the open transaction. Any other failure is thrown at once.
 */
public final class RegistryWaitingDeserializer<T> implements Deserializer<T> {

    private static final Logger log = LoggerFactory.getLogger(RegistryWaitingDeserializer.class);

    private final Deserializer<T> delegate;
    private final Backoff backoff;
    private final RegistryStatus status;

    public RegistryWaitingDeserializer(Deserializer<T> delegate, Backoff backoff, RegistryStatus status) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.status = Objects.requireNonNull(status, "status");
    }

    @Override
    public @Nullable T deserialize(String topic, byte @Nullable [] data) {
        Backoff.Attempts attempts = null;
        while (true) {
            try {
                T value = delegate.deserialize(topic, data);
                status.succeeded();
                return value;
            } catch (RuntimeException e) {
                if (!RegistryStatus.isRegistryFault(e)) {
                    throw e;
                }
                status.failed(e);
                if (attempts == null) {
                    attempts = backoff.start();
                    log.warn("Schema registry unavailable while decoding a record of {}; waiting for it: {}", topic,
                            e.getMessage());
                }
                if (!backOff(attempts)) {
                    throw e;
                }
            }
        }
    }

    private static boolean backOff(Backoff.Attempts attempts) {
        try {
            return attempts.backOff();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
