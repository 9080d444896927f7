package io.promptq.producer.batch;

import io.promptq.kafka.KafkaSettings;
import io.promptq.schema.BatchEvent;
import io.promptq.topic.Topic;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes batch steps to the batches topic, keyed by batch id, and waits for the broker's acknowledgement: the
 * Batches API's CREATED and CANCEL_REQUESTED, the submitter's VALIDATED and FAILED. Thread-safe.
 */
public final class BatchEvents implements AutoCloseable {

    private final Topic<String, BatchEvent> topic;
    private final Producer<String, BatchEvent> producer;
    private final Duration timeout;

    public BatchEvents(KafkaSettings kafka, Topic<String, BatchEvent> topic, String clientId, Duration timeout) {
        this.topic = topic;
        this.timeout = timeout;
        this.producer = new KafkaProducer<>(kafka.producerConfig(clientId), topic.keySerializer(),
                topic.valueSerializer());
    }

    /** The batches topic's name. */
    public String topic() {
        return topic.name();
    }

    /**
     * Writes {@code event} and returns once it is acknowledged.
     *
     * @throws IOException when the broker does not acknowledge it within the timeout
     */
    public void write(BatchEvent event) throws IOException, InterruptedException {
        try {
            producer.send(new ProducerRecord<>(topic.name(), event.getBatchId(), event))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("batch " + event.getBatchId() + ": " + event.getType() + " not written to "
                    + topic.name() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("batch " + event.getBatchId() + ": " + event.getType() + " not acknowledged by "
                    + topic.name() + " within " + timeout.toMillis() + " ms", e);
        }
    }

    @Override
    public void close() {
        producer.close(timeout);
    }
}
