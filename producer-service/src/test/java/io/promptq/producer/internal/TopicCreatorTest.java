package io.promptq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.kafka.TopicProvisioningException;
import io.promptq.kafka.TopicSpec;
import io.promptq.retry.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

class TopicCreatorTest {

    private static final TopicSpec JOBS = TopicSpec.of("promptq.jobs", 3, Optional.empty());

    private static Admin unreachable() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "1000",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "500"));
    }

    @Test
    void keepsRetryingWithJitteredBackoffWhileKafkaIsUnreachableUntilClosed() throws Exception {
        List<Duration> waits = new CopyOnWriteArrayList<>();
        CountDownLatch twoWaits = new CountDownLatch(2);
        Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(2)).fullJitter()
                .random(() -> 0.5).sleeper(d -> {
                    waits.add(d);
                    twoWaits.countDown();
                    if (waits.size() == 2) {
                        Thread.sleep(Duration.ofMinutes(10)); // until close() interrupts
                    }
                }).build();
        try (Admin admin = unreachable()) {
            TopicCreator creator = TopicCreator.start(admin, JOBS, Duration.ofMillis(200), backoff);
            try {
                assertThat(twoWaits.await(30, TimeUnit.SECONDS)).as("two failed tries").isTrue();
                assertThat(creator.await(Duration.ZERO)).isFalse();
            } finally {
                creator.close();
            }
        }
        assertThat(waits).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
    }

    @Test
    void aBoundedBackoffGivesUpWithTheProvisionersErrorNamingTheTopic() {
        Backoff twoTries = Backoff.fixed(Duration.ofMillis(1)).maxAttempts(2).build();
        try (Admin admin = unreachable(); TopicCreator creator = TopicCreator.start(admin, JOBS, Duration.ofMillis(200),
                twoTries)) {
            assertThat(creator.completion()).failsWithin(Duration.ofSeconds(30))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(TopicProvisioningException.class)
                    .withMessageContaining("promptq.jobs");
            assertThat(creator.await(Duration.ZERO)).isFalse();
        }
    }

    @Test
    void theDefaultBackoffIsBoundedOnlyByTheServicesLifetime() {
        assertThat(TopicCreator.DEFAULT_BACKOFF.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
        assertThat(TopicCreator.DEFAULT_BACKOFF.maxElapsed()).isEmpty();
        assertThat(TopicCreator.DEFAULT_BACKOFF.ceiling(100)).isEqualTo(Duration.ofSeconds(10));
    }
}
