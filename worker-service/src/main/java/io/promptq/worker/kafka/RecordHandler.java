package io.promptq.worker.kafka;

import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Processes one record of the jobs or retry topics to completion. Called on its own virtual thread; returns
 * only when the record's outcome (result, retry or dead-letter records) has been acknowledged by the broker,
 * because the poll loop then counts the offset as finished and may commit past it.
 */
@FunctionalInterface
public interface RecordHandler {

    /**
     * Handles {@code record}.
     *
     * @param abandoned becomes true when the record's partition was revoked or the worker stops without
     *     waiting: the handler should then stop and publish nothing, since the record will be redelivered
     * @throws InterruptedException when interrupted because the record was abandoned
     * @throws java.util.concurrent.CancellationException when it stopped because the record was abandoned
     */
    void handle(ConsumerRecord<byte[], byte[]> record, BooleanSupplier abandoned) throws InterruptedException;
}
