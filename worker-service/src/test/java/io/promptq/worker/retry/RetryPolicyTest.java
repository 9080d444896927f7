package io.promptq.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.worker.retry.RetryDecision.GiveUp;
import io.promptq.worker.retry.RetryDecision.GiveUpReason;
import io.promptq.worker.retry.RetryDecision.RetryLocally;
import io.promptq.worker.retry.RetryDecision.RetryOnTopic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final List<Duration> TIERS = List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5));

    private final RetryPolicy maxJitter = RetryPolicy.of(TIERS, 5).withRandom(() -> 0.999999);
    private final RetryPolicy noJitter = RetryPolicy.of(TIERS, 5).withRandom(() -> 0.0);

    @Test
    void permanentFailureIsGivenUpAtOnce() {
        assertThat(maxJitter.decide(1, 0, -1, false, Optional.empty(), NOW))
                .isEqualTo(new GiveUp(GiveUpReason.PERMANENT_ERROR));
    }

    @Test
    void transientFailureIsGivenUpWhenTheAttemptBudgetIsSpent() {
        assertThat(maxJitter.decide(5, 0, 2, true, Optional.empty(), NOW))
                .isEqualTo(new GiveUp(GiveUpReason.MAX_ATTEMPTS));
        assertThat(maxJitter.decide(4, 0, 2, true, Optional.empty(), NOW)).isInstanceOf(RetryOnTopic.class);
    }

    @Test
    void eachRetryGoesToTheNextTierAndStaysOnTheLast() {
        assertThat(((RetryOnTopic) maxJitter.decide(1, 0, -1, true, Optional.empty(), NOW)).tier()).isZero();
        assertThat(((RetryOnTopic) maxJitter.decide(2, 0, 0, true, Optional.empty(), NOW)).tier()).isEqualTo(1);
        assertThat(((RetryOnTopic) maxJitter.decide(3, 0, 1, true, Optional.empty(), NOW)).tier()).isEqualTo(2);
        assertThat(((RetryOnTopic) maxJitter.decide(4, 0, 2, true, Optional.empty(), NOW)).tier()).isEqualTo(2);
    }

    @Test
    void fullJitterSpreadsTheDelayOverZeroToTheTierDelay() {
        RetryOnTopic longest = (RetryOnTopic) maxJitter.decide(2, 0, 0, true, Optional.empty(), NOW);
        RetryOnTopic shortest = (RetryOnTopic) noJitter.decide(2, 0, 0, true, Optional.empty(), NOW);
        RetryOnTopic middle = (RetryOnTopic) RetryPolicy.of(TIERS, 5).withRandom(() -> 0.5)
                .decide(2, 0, 0, true, Optional.empty(), NOW);

        assertThat(longest.delay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(longest.dueAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(shortest.delay()).isEqualTo(Duration.ZERO);
        assertThat(middle.delay()).isBetween(Duration.ofMillis(14_900), Duration.ofMillis(15_100));
    }

    @Test
    void defaultRandomStaysWithinTheTierDelay() {
        RetryPolicy policy = RetryPolicy.of(TIERS, 5);
        for (int i = 0; i < 1_000; i++) {
            RetryOnTopic r = (RetryOnTopic) policy.decide(1, 0, -1, true, Optional.empty(), NOW);
            assertThat(r.delay()).isBetween(Duration.ZERO, Duration.ofSeconds(5));
        }
    }

    @Test
    void retryAfterIsAFloorForTheDelay() {
        RetryOnTopic r = (RetryOnTopic) noJitter.decide(1, 0, -1, true, Optional.of(Duration.ofSeconds(3)), NOW);
        assertThat(r.tier()).isZero();
        assertThat(r.delay()).isEqualTo(Duration.ofSeconds(3));
        assertThat(r.dueAt()).isEqualTo(NOW.plusSeconds(3));
    }

    @Test
    void retryAfterLongerThanTheTierMovesTheJobToATierThatCoversIt() {
        RetryOnTopic r = (RetryOnTopic) noJitter.decide(1, 0, -1, true, Optional.of(Duration.ofSeconds(20)), NOW);
        assertThat(r.tier()).isEqualTo(1);
        assertThat(r.dueAt()).isEqualTo(NOW.plusSeconds(20));

        RetryOnTopic beyondAll = (RetryOnTopic) noJitter.decide(1, 0, -1, true, Optional.of(Duration.ofMinutes(10)), NOW);
        assertThat(beyondAll.tier()).isEqualTo(2);
        assertThat(beyondAll.dueAt()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
    }

    @Test
    void retryAfterAboveTheCapIsCappedSoAnHourLongAnswerDoesNotParkTheJob() {
        RetryPolicy capped = noJitter.withMaxRetryAfter(Duration.ofMinutes(5));

        RetryOnTopic r = (RetryOnTopic) capped.decide(1, 0, -1, true, Optional.of(Duration.ofSeconds(3600)), NOW);

        assertThat(r.tier()).isEqualTo(2);
        assertThat(r.delay()).isEqualTo(Duration.ofMinutes(5));
        assertThat(r.dueAt()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
        RetryOnTopic below = (RetryOnTopic) capped.decide(1, 0, -1, true, Optional.of(Duration.ofSeconds(20)), NOW);
        assertThat(below.delay()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void negativeRetryAfterCapIsRejected() {
        assertThatThrownBy(() -> noJitter.withMaxRetryAfter(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRetryAfter");
    }

    @Test
    void inProcessRetriesComeFirstAndCountAsAttempts() {
        RetryPolicy policy = RetryPolicy.of(TIERS, 5).withLocalRetries(2, Duration.ofMillis(200)).withRandom(() -> 0.999999);

        assertThat(policy.decide(1, 0, -1, true, Optional.empty(), NOW)).isEqualTo(new RetryLocally(Duration.ofMillis(200)));
        assertThat(policy.decide(2, 1, -1, true, Optional.empty(), NOW)).isInstanceOf(RetryLocally.class);
        assertThat(policy.decide(3, 2, -1, true, Optional.empty(), NOW)).isInstanceOf(RetryOnTopic.class);
        assertThat(policy.decide(5, 1, -1, true, Optional.empty(), NOW)).isEqualTo(new GiveUp(GiveUpReason.MAX_ATTEMPTS));
    }

    @Test
    void retryAfterLongerThanTheInProcessDelayGoesToATopic() {
        RetryPolicy policy = RetryPolicy.of(TIERS, 5).withLocalRetries(2, Duration.ofMillis(200));
        assertThat(policy.decide(1, 0, -1, true, Optional.of(Duration.ofSeconds(1)), NOW)).isInstanceOf(RetryOnTopic.class);
    }

    @Test
    void rejectsDecreasingTiersAndAnEmptyBudget() {
        assertThatThrownBy(() -> RetryPolicy.of(List.of(Duration.ofSeconds(30), Duration.ofSeconds(5)), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not decrease");
        assertThatThrownBy(() -> RetryPolicy.of(TIERS, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.of(List.of(), 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parkedJobStaysOnItsTierUnlessALaterTierCoversTheWait() {
        RetryPolicy policy = RetryPolicy.of(List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5)), 3);

        assertThat(policy.parkTier(-1, Duration.ofSeconds(2))).as("fresh job: tier 0").isZero();
        assertThat(policy.parkTier(1, Duration.ofSeconds(2))).as("never an earlier tier").isEqualTo(1);
        assertThat(policy.parkTier(-1, Duration.ofSeconds(10))).isEqualTo(1);
        assertThat(policy.parkTier(0, Duration.ofHours(1))).as("capped at the last tier").isEqualTo(2);
    }
}
