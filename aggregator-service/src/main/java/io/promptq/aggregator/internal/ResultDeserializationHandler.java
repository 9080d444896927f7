package io.promptq.aggregator.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's answer to a record that cannot be decoded. A registry fault ({@link RegistryStatus#isRegistryFault})
 * fails the stream thread, so the record is read again by its replacement once the registry is back: nothing is
 * skipped. Any other failure (unknown schema id, wrong magic byte, garbage) is a corrupt record: it is counted
 * ({@link AggregatorMetrics#RESULTS}, outcome {@code corrupt}), written as it is to the aggregator's dead-letter topic
 * (raw key and value, original headers plus {@value #REASON_HEADER}, {@value #ERROR_HEADER} and
 * {@value #SOURCE_HEADER}) in the same transaction, and skipped.
 *
 * <p>Kafka Streams creates handlers by class; the shared {@link Context} reaches it under {@link #CONTEXT_CONFIG}.
 */
public final class ResultDeserializationHandler implements DeserializationExceptionHandler {

    /** Streams config key holding the {@link Context} instance. */
    public static final String CONTEXT_CONFIG = "promptq.aggregator.deserialization.context";
    /** Header naming why the record was dead-lettered: {@value #CORRUPT}. */
    public static final String REASON_HEADER = "promptq.dead-letter-reason";
    /** Header with the decoding failure. */
    public static final String ERROR_HEADER = "promptq.error";
    /** Header with the source {@code topic-partition@offset}. */
    public static final String SOURCE_HEADER = "promptq.source";
    /** The reason of a record that does not decode. */
    public static final String CORRUPT = "CORRUPT_RESULT";

    private static final Logger log = LoggerFactory.getLogger(ResultDeserializationHandler.class);

    /** What the handler needs from the service: where dead letters go and the meters to count them. */
    public record Context(String deadLetterTopic, AggregatorMetrics metrics) {
        public Context {
            Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
            Objects.requireNonNull(metrics, "metrics");
        }
    }

    private Context context;

    public ResultDeserializationHandler() {}

    public ResultDeserializationHandler(Context context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    @Override
    public void configure(Map<String, ?> configs) {
        if (context == null && configs.get(CONTEXT_CONFIG) instanceof Context configured) {
            context = configured;
        }
        if (context == null) {
            throw new IllegalStateException(CONTEXT_CONFIG + " must hold a " + Context.class.getName());
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext where, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String source = where.topic() + "-" + where.partition() + "@" + where.offset();
        if (RegistryStatus.isRegistryFault(exception)) {
            log.warn("Schema registry still unavailable for record {}; failing the stream thread so that it is read "
                    + "again: {}", source, exception.getMessage());
            return Response.fail();
        }
        context.metrics().corrupt();
        log.warn("Dead-lettering corrupt record {} to {}: {}", source, context.deadLetterTopic(), exception.toString());
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(REASON_HEADER, CORRUPT.getBytes(StandardCharsets.UTF_8));
        headers.add(ERROR_HEADER, String.valueOf(exception).getBytes(StandardCharsets.UTF_8));
        headers.add(SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
        return Response.resume(List.of(new ProducerRecord<>(context.deadLetterTopic(), null, record.key(), record.value(),
                headers)));
    }
}
