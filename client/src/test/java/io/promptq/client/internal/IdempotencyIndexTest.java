package io.promptq.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.client.SubmitReceipt;
import io.promptq.client.internal.IdempotencyIndex.Claim;
import io.promptq.client.internal.IdempotencyIndex.Conflict;
import io.promptq.client.internal.IdempotencyIndex.Duplicate;
import io.promptq.client.internal.IdempotencyIndex.Write;
import io.promptq.testkit.MutableClock;
import io.promptq.topic.PayloadHash;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdempotencyIndexTest {

    private static final Duration WINDOW = Duration.ofHours(24);
    private static final UUID JOB = UUID.fromString("0b8e1c52-4f6a-5a7e-9c1d-2e3f4a5b6c7d");
    private static final PayloadHash A = hash(1);
    private static final PayloadHash B = hash(2);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
    private final IdempotencyIndex index = new IdempotencyIndex(WINDOW, 3, clock, "promptq.jobs");

    @Test
    void anUnknownKeyIsWrittenAndThenAnsweredWithItsReceiptAsADuplicate() throws Exception {
        Write write = (Write) index.claim(JOB, A, clock.millis());
        SubmitReceipt receipt = new SubmitReceipt(JOB.toString(), "promptq.jobs", 2, 40);
        index.written(write.pending(), receipt);

        Claim again = index.claim(JOB, A, clock.millis());

        assertThat(again).isInstanceOf(Duplicate.class);
        assertThat(((Duplicate) again).receipt().get()).isEqualTo(receipt.asDuplicate());
    }

    @Test
    void aClaimWhileTheFirstIsBeingWrittenWaitsForItsReceipt() throws Exception {
        Write write = (Write) index.claim(JOB, A, clock.millis());

        Duplicate waiting = (Duplicate) index.claim(JOB, A, clock.millis());
        assertThat(waiting.receipt()).isNotDone();
        SubmitReceipt receipt = new SubmitReceipt(JOB.toString(), "promptq.jobs", 0, 7);
        index.written(write.pending(), receipt);

        assertThat(waiting.receipt().get()).isEqualTo(receipt.asDuplicate());
    }

    @Test
    void anotherHashUnderAKnownKeyIsAConflictWhetherPendingOrAccepted() {
        Write write = (Write) index.claim(JOB, A, clock.millis());
        assertThat(index.claim(JOB, B, clock.millis())).isEqualTo(new Conflict(A));

        index.written(write.pending(), new SubmitReceipt(JOB.toString(), "promptq.jobs", 0, 7));

        assertThat(index.claim(JOB, B, clock.millis())).isEqualTo(new Conflict(A));
    }

    @Test
    void aFailedWriteFreesTheKeyAndFailsItsWaiters() {
        Write write = (Write) index.claim(JOB, A, clock.millis());
        Duplicate waiting = (Duplicate) index.claim(JOB, A, clock.millis());

        index.notWritten(write.pending(), new IllegalStateException("broker down"));

        assertThat(waiting.receipt()).isCompletedExceptionally();
        assertThat(index.claim(JOB, B, clock.millis())).isInstanceOf(Write.class);
    }

    @Test
    void aKeyLearnedFromTheLedgerAnswersWithTheFirstCopysPosition() throws Exception {
        index.learn(JOB, A, clock.millis() - 1_000, 5, 99);

        Duplicate duplicate = (Duplicate) index.claim(JOB, A, clock.millis());

        assertThat(duplicate.receipt().get()).isEqualTo(new SubmitReceipt(JOB.toString(), "promptq.jobs", 5, 99, true));
        assertThat(index.claim(JOB, B, clock.millis())).isEqualTo(new Conflict(A));
    }

    @Test
    void theLedgerWinsOverWhatThisClientWroteItself() {
        Write write = (Write) index.claim(JOB, A, clock.millis());
        index.learn(JOB, B, clock.millis(), 1, 1);

        index.written(write.pending(), new SubmitReceipt(JOB.toString(), "promptq.jobs", 0, 7));

        assertThat(index.claim(JOB, A, clock.millis())).isEqualTo(new Conflict(B));
    }

    @Test
    void anEntryAnswersWithinTheWindowAndIsForgottenAfterIt() {
        index.learn(JOB, A, clock.millis(), 0, 1);

        clock.advance(WINDOW.minusMillis(1));
        assertThat(index.claim(JOB, B, clock.millis())).isInstanceOf(Conflict.class);
        clock.advance(Duration.ofMillis(1));

        assertThat(index.claim(JOB, B, clock.millis())).isInstanceOf(Write.class);
    }

    @Test
    void ledgerEntriesAlreadyOutsideTheWindowAreIgnoredAndExpiredOnesDropped() {
        index.learn(JOB, A, clock.millis() - WINDOW.toMillis(), 0, 1);
        assertThat(index.size()).isZero();

        index.learn(uuid(1), A, clock.millis(), 0, 1);
        index.learn(uuid(2), A, clock.millis(), 0, 2);
        clock.advance(WINDOW);
        index.learn(uuid(3), A, clock.millis(), 0, 3);

        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void beyondMaxKeysTheOldestIsEvictedFirst() {
        index.learn(uuid(1), A, clock.millis(), 0, 1);
        index.learn(uuid(2), A, clock.millis(), 0, 2);
        index.learn(uuid(3), A, clock.millis(), 0, 3);

        index.learn(uuid(4), A, clock.millis(), 0, 4);

        assertThat(index.size()).isEqualTo(3);
        assertThat(index.claim(uuid(1), B, clock.millis())).isInstanceOf(Write.class);
        assertThat(index.claim(uuid(4), B, clock.millis())).isInstanceOf(Conflict.class);
    }

    @Test
    void aTombstoneForgetsALearnedKeyButNotOneBeingWritten() {
        index.learn(uuid(1), A, clock.millis(), 0, 1);
        index.claim(uuid(2), A, clock.millis());

        index.forget(uuid(1));
        index.forget(uuid(2));

        assertThat(index.claim(uuid(1), B, clock.millis())).isInstanceOf(Write.class);
        assertThat(index.claim(uuid(2), B, clock.millis())).isInstanceOf(Conflict.class);
    }

    private static UUID uuid(int n) {
        return new UUID(0, n);
    }

    private static PayloadHash hash(int fill) {
        byte[] bytes = new byte[PayloadHash.LENGTH];
        Arrays.fill(bytes, (byte) fill);
        return PayloadHash.fromBytes(bytes);
    }
}
