package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    @Test
    void nothingIsCommittableBeforeARecordIsRegistered() {
        assertThat(new OffsetTracker().commitPosition()).isEqualTo(-1);
    }

    @Test
    void commitsOnlyUpToTheLowestUnfinishedOffset() {
        OffsetTracker t = new OffsetTracker();
        long s0 = t.register(100);
        long s1 = t.register(101);
        long s2 = t.register(102);

        assertThat(t.commitPosition()).isEqualTo(100);
        t.complete(s1);
        t.complete(s2);
        assertThat(t.commitPosition()).isEqualTo(100);
        t.complete(s0);
        assertThat(t.commitPosition()).isEqualTo(103);
        assertThat(t.outstanding()).isZero();
    }

    @Test
    void gapsBetweenOffsetsAreSkippedOnceEverythingBeforeIsFinished() {
        OffsetTracker t = new OffsetTracker();
        long a = t.register(10);
        long b = t.register(15); // 11-14: transaction markers or compacted away
        t.complete(a);
        assertThat(t.commitPosition()).isEqualTo(15);
        t.complete(b);
        assertThat(t.commitPosition()).isEqualTo(16);
    }

    @Test
    void completingAnUnknownOrAlreadyFinishedRecordChangesNothing() {
        OffsetTracker t = new OffsetTracker();
        long a = t.register(0);
        long b = t.register(1);
        assertThat(t.complete(b)).isTrue();
        assertThat(t.complete(b)).isFalse();
        assertThat(t.complete(b + 5)).isFalse();
        assertThat(t.commitPosition()).isZero();
        assertThat(t.complete(a)).isTrue();
        assertThat(t.complete(a)).isFalse();
        assertThat(t.commitPosition()).isEqualTo(2);
    }

    @Test
    void truncationForgetsTheRecordsFromItsOffsetAndKeepsTheUnfinishedOnesBelow() {
        OffsetTracker t = new OffsetTracker(2);
        long[] seq = new long[6];
        for (int o = 0; o < 6; o++) {
            seq[o] = t.register(o);
        }
        t.complete(seq[0]);
        t.complete(seq[1]);
        t.complete(seq[3]);

        assertThat(t.truncate(4)).containsExactly(seq[4], seq[5]);

        assertThat(t.commitPosition()).as("2 is still unfinished").isEqualTo(2);
        assertThat(t.complete(seq[5])).as("a forgotten record's completion counts for nothing").isFalse();
        long again4 = t.register(4);
        assertThat(again4).isGreaterThan(seq[5]);
        t.complete(seq[2]);
        assertThat(t.commitPosition()).isEqualTo(4);
        t.complete(again4);
        assertThat(t.commitPosition()).isEqualTo(5);
        assertThat(t.outstanding()).isZero();
    }

    @Test
    void truncationBelowEverythingRegisteredContinuesFromItsOffset() {
        OffsetTracker t = new OffsetTracker();
        t.complete(t.register(10));
        t.complete(t.register(11));

        assertThat(t.truncate(7)).isEmpty();

        assertThat(t.commitPosition()).isEqualTo(7);
        t.complete(t.register(7));
        assertThat(t.commitPosition()).isEqualTo(8);
    }

    @Test
    void rejectsOffsetsOutOfOrder() {
        OffsetTracker t = new OffsetTracker();
        t.register(5);
        assertThatThrownBy(() -> t.register(5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.register(4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void growsWhenOneSlowRecordHoldsBackManyFinishedOnes() {
        OffsetTracker t = new OffsetTracker(4);
        long slow = t.register(0);
        for (long o = 1; o <= 10_000; o++) {
            t.complete(t.register(o));
        }
        assertThat(t.outstanding()).isEqualTo(10_001);
        assertThat(t.commitPosition()).isZero();
        t.complete(slow);
        assertThat(t.commitPosition()).isEqualTo(10_001);
        assertThat(t.outstanding()).isZero();
    }

    @Test
    void neverCommitsPastAnUnfinishedOffsetUnderRandomCompletionOrder() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            OffsetTracker t = new OffsetTracker(2);
            TreeSet<Long> unfinished = new TreeSet<>();
            List<long[]> pending = new ArrayList<>();
            long offset = random.nextInt(1000);
            long highest = -1;
            for (int step = 0; step < 300; step++) {
                if (pending.isEmpty() || random.nextInt(3) > 0) {
                    offset += 1 + random.nextInt(3);
                    pending.add(new long[] {t.register(offset), offset});
                    unfinished.add(offset);
                    highest = offset;
                } else {
                    Collections.swap(pending, random.nextInt(pending.size()), pending.size() - 1);
                    long[] done = pending.remove(pending.size() - 1);
                    t.complete(done[0]);
                    unfinished.remove(done[1]);
                }
                long expected = unfinished.isEmpty() ? highest + 1 : unfinished.first();
                assertThat(t.commitPosition()).isEqualTo(expected);
            }
        }
    }

    @Test
    void describesTheFinishedRecordsAboveThePositionWithTheGapsBetweenRegisteredOnes() {
        OffsetTracker t = new OffsetTracker();
        t.register(10); // unfinished: the position
        t.complete(t.register(12)); // 11 does not exist (a transaction marker)
        t.register(13);
        t.complete(t.register(20));
        OffsetProgress.Builder b = new OffsetProgress.Builder(t.commitPosition());

        t.describe(b);

        assertThat(b.build()).isEqualTo(new OffsetProgress.Builder(10).finished(11, 13).finished(14, 21).build());
    }

    @Test
    void startCountsAreKeptPerRecordUntilItFinishes() {
        OffsetTracker t = new OffsetTracker(2);
        long a = t.register(0, 2); // started twice by earlier owners
        long b = t.register(1);
        long c = t.register(2);
        assertThat(t.started(a)).isEqualTo(3);
        assertThat(t.started(b)).isEqualTo(1);
        assertThat(t.started(c)).isEqualTo(1);
        t.complete(b);
        assertThat(t.started(b)).as("finished: no more counting").isZero();
        OffsetProgress.Builder progress = new OffsetProgress.Builder(t.commitPosition());

        t.describe(progress);

        assertThat(progress.build()).isEqualTo(new OffsetProgress.Builder(0).starts(0, 3).finished(1, 2)
                .starts(2, 1).build());
    }
}
