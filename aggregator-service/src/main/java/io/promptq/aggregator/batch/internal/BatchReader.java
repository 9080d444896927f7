package io.promptq.aggregator.batch.internal;

import java.util.Optional;

/**
 * How the finalizer reads a batch from the local stores: its state, and its stored lines in line order. Reads fail
 * with {@link StoreMovedException} when this instance no longer owns the batch.
 */
public interface BatchReader {

    /** Receives stored line values (kind byte + line) in line order. */
    @FunctionalInterface
    interface LineVisitor {
        void visit(byte[] stored) throws java.io.IOException;
    }

    Optional<BatchState> state(String batchId);

    void lines(String batchId, LineVisitor visitor) throws java.io.IOException;

    /** The batch's store is not (or no longer) on this instance: another instance finalizes it. */
    final class StoreMovedException extends RuntimeException {
        public StoreMovedException(String message, @org.jspecify.annotations.Nullable Throwable cause) {
            super(message, cause);
        }
    }
}
