package io.promptq.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.retry.Backoff;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class OutcomePublisherTest {

    private static final byte[] KEY = "j-1".getBytes(StandardCharsets.UTF_8);

    private final List<Duration> waits = new ArrayList<>();
    private final AtomicBoolean abandoned = new AtomicBoolean();

    private Backoff.Builder backoff() {
        return Backoff.exponential(Duration.ofMillis(100), Duration.ofMillis(250)).fullJitter().random(() -> 0.5)
                .sleeper(waits::add);
    }

    private static List<OutcomePublisher.Out<?>> result() {
        return List.of(OutcomePublisher.Out.of("results", KEY, new byte[] {1}, new ByteArraySerializer()));
    }

    @Test
    void transientFailuresAreRetriedWithJitteredWaitsThatDoubleUpToTheCap() throws Exception {
        FlakyProducer producer = new FlakyProducer(3);

        new OutcomePublisher(producer, backoff().build()).send(result(), abandoned::get);

        assertThat(producer.history()).singleElement().satisfies(r -> assertThat(r.topic()).isEqualTo("results"));
        assertThat(waits).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(125));
    }

    @Test
    void abandonmentEndsTheRetriesWithoutPublishing() {
        FlakyProducer producer = new FlakyProducer(Integer.MAX_VALUE);
        Backoff abandonOnFirstWait = backoff().sleeper(d -> abandoned.set(true)).build();

        assertThatThrownBy(() -> new OutcomePublisher(producer, abandonOnFirstWait).send(result(), abandoned::get))
                .isInstanceOf(CancellationException.class);
        assertThat(producer.history()).isEmpty();
        assertThat(producer.attempts.get()).isEqualTo(1);
    }

    @Test
    void aBoundedBackoffGivesUpWithAPublishExceptionNamingTheTopic() {
        FlakyProducer producer = new FlakyProducer(Integer.MAX_VALUE);

        assertThatThrownBy(() -> new OutcomePublisher(producer, backoff().maxAttempts(3).build())
                .send(result(), abandoned::get))
                .isInstanceOf(PublishException.class)
                .hasMessageContaining("[results]")
                .hasMessageContaining("after 3 tries");
        assertThat(producer.attempts.get()).isEqualTo(3);
        assertThat(waits).hasSize(2);
    }

    @Test
    void theDefaultBackoffIsBoundedOnlyByTheJobsAbandonment() {
        assertThat(OutcomePublisher.DEFAULT_BACKOFF.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
        assertThat(OutcomePublisher.DEFAULT_BACKOFF.maxElapsed()).isEmpty();
        assertThat(OutcomePublisher.DEFAULT_BACKOFF.ceiling(100)).isEqualTo(Duration.ofSeconds(5));
    }

    /** Times out the first {@code failures} sends, as a broker that is down does. */
    private static final class FlakyProducer extends MockProducer<byte[], byte[]> {
        private final int failures;
        final AtomicInteger attempts = new AtomicInteger();

        FlakyProducer(int failures) {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.failures = failures;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            if (attempts.incrementAndGet() <= failures) {
                return CompletableFuture.failedFuture(new TimeoutException("broker down"));
            }
            return super.send(record);
        }
    }
}
