package io.promptq.worker.internal;

import io.promptq.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a job's outcome records and waits until the broker acknowledged all of them. Transient broker
 * failures (unavailable, timeouts) and every serialization or schema-registry failure are retried with backoff
 * until they succeed or the job is abandoned - a job's outcome is never dropped for a registry problem, which
 * an operator can fix; a record the broker refuses for good (e.g. too large) is a {@link PublishException}.
 * Thread-safe; blocks the calling virtual thread.
 *
 * <p>The retries have no attempt or time budget of their own, by design: the LLM call behind an outcome is
 * paid for, so the outcome is not dropped while the broker or registry is down. The loop's bound is the job's
 * lifetime: it ends when the records are acknowledged, when a failure is not retriable ({@link
 * PublishException}), or when the job is abandoned ({@link CancellationException}), which the poll loop does when
 * the partition is revoked or lost and when shutdown's grace period is over.
 */
final class OutcomePublisher {

    private static final Logger log = LoggerFactory.getLogger(OutcomePublisher.class);
    /** Waits between tries: 100 ms doubling up to 5 s, full jitter; bounded by the job's abandonment. */
    static final Backoff DEFAULT_BACKOFF = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5))
            .fullJitter().build();

    /** One record to publish; the value is serialized (and its schema registered if needed) on each try. */
    record Out<V>(String topic, byte[] key, V value, Serializer<V> serializer, Headers headers) {

        static <V> Out<V> of(String topic, byte[] key, V value, Serializer<V> serializer) {
            return new Out<>(topic, key, value, serializer, new RecordHeaders());
        }

        Out<V> header(String name, byte[] bytes) {
            headers.add(name, bytes);
            return this;
        }

        ProducerRecord<byte[], byte[]> toRecord() {
            byte[] bytes = serializer.serialize(topic, headers, value);
            return new ProducerRecord<>(topic, null, key, bytes, headers);
        }
    }

    private final Producer<byte[], byte[]> producer;
    private final Backoff backoff;

    OutcomePublisher(Producer<byte[], byte[]> producer) {
        this(producer, DEFAULT_BACKOFF);
    }

    OutcomePublisher(Producer<byte[], byte[]> producer, Backoff backoff) {
        this.producer = producer;
        this.backoff = backoff;
    }

    /**
     * Sends {@code outs} and returns when all are acknowledged.
     *
     * @throws CancellationException if the job was abandoned meanwhile
     * @throws PublishException on a failure that retrying will not fix
     */
    void send(List<Out<?>> outs, BooleanSupplier abandoned) throws InterruptedException {
        List<Out<?>> pending = outs;
        Backoff.Attempts attempts = backoff.start();
        while (true) {
            if (abandoned.getAsBoolean()) {
                throw new CancellationException("abandoned");
            }
            List<Out<?>> sent = new ArrayList<>(pending.size());
            List<Future<RecordMetadata>> acks = new ArrayList<>(pending.size());
            List<Out<?>> again = new ArrayList<>(0);
            Throwable fatal = null;
            Throwable transientError = null;
            for (Out<?> out : pending) {
                try {
                    acks.add(producer.send(out.toRecord()));
                    sent.add(out);
                } catch (RuntimeException e) {
                    if (retriable(e)) {
                        again.add(out);
                        transientError = e;
                    } else {
                        fatal = e;
                    }
                }
            }
            for (int i = 0; i < acks.size(); i++) {
                try {
                    acks.get(i).get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    if (retriable(cause)) {
                        again.add(sent.get(i));
                        transientError = cause;
                    } else {
                        fatal = cause;
                    }
                }
            }
            if (fatal != null) {
                throw new PublishException("cannot publish to " + topics(pending) + ": " + fatal, fatal);
            }
            if (again.isEmpty()) {
                return;
            }
            Optional<Duration> wait = attempts.next();
            if (wait.isEmpty()) {
                throw new PublishException("cannot publish to " + topics(again) + " after " + attempts.failures()
                        + " tries: " + transientError, transientError);
            }
            log.warn("Publishing to {} failed ({}); trying again in {} ms", topics(again), transientError,
                    wait.get().toMillis());
            attempts.sleep(wait.get());
            pending = again;
        }
    }

    /**
     * Transient broker errors, serialization and registry errors, and an idempotent producer's sequence errors
     * (after them the producer resets its sequence numbers, so sending again works).
     */
    static boolean retriable(Throwable e) {
        return retriableClass(e) || (e.getCause() != null && e.getCause() != e && retriableClass(e.getCause()));
    }

    private static boolean retriableClass(Throwable e) {
        return e instanceof RetriableException || e instanceof SerializationException
                || e instanceof OutOfOrderSequenceException || e instanceof UnknownProducerIdException;
    }

    private static List<String> topics(List<Out<?>> outs) {
        List<String> topics = new ArrayList<>(outs.size());
        for (Out<?> o : outs) {
            topics.add(o.topic());
        }
        return topics;
    }
}
