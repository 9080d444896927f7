package io.promptq.worker.kafka;

/**
 * What a {@link RecordHandler} may ask the poll loop about the record it handles.
 */
public interface JobContext {

    /**
     * Whether the record was abandoned: its partition was revoked or lost, or the worker stops without waiting.
     * The handler should then stop; whatever it returns is dropped, since the record is redelivered.
     */
    boolean abandoned();

    /**
     * How many times this record was started before, by this or another worker, without an outcome being
     * committed (the worker died or the partition moved while it ran). 0 on a first delivery.
     */
    int previousStarts();
}
