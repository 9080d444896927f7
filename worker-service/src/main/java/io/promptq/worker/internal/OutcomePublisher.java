package io.promptq.worker.internal;

import java.util.ArrayList;
import java.util.List;
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
 */
final class OutcomePublisher {

    private static final Logger log = LoggerFactory.getLogger(OutcomePublisher.class);
    private static final long MAX_BACKOFF_MS = 5_000;

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

    OutcomePublisher(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /**
     * Sends {@code outs} and returns when all are acknowledged.
     *
     * @throws CancellationException if the job was abandoned meanwhile
     * @throws PublishException on a failure that retrying will not fix
     */
    void send(List<Out<?>> outs, BooleanSupplier abandoned) throws InterruptedException {
        List<Out<?>> pending = outs;
        long backoff = 100;
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
            log.warn("Publishing to {} failed ({}); trying again in {} ms", topics(again), transientError, backoff);
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
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
