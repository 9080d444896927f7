package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OffsetProgressTest {

    @Test
    void touchingFinishedRangesAreMergedAndEmptyOnesIgnored() {
        OffsetProgress p = new OffsetProgress.Builder(10).finished(11, 13).finished(13, 15).finished(16, 16)
                .finished(17, 18).build();

        assertThat(p.finishedRanges()).isEqualTo(2);
        assertThat(p.finishedFrom(0)).isEqualTo(11);
        assertThat(p.finishedTo(0)).isEqualTo(15);
        assertThat(p.end()).isEqualTo(18);
    }

    @Test
    void rangesAndStartCountsMustBeAddedInOffsetOrderAtOrAboveThePosition() {
        OffsetProgress.Builder b = new OffsetProgress.Builder(10).finished(12, 14).starts(15, 1);

        assertThatThrownBy(() -> b.finished(13, 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.starts(15, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OffsetProgress.Builder(10).finished(9, 11))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OffsetProgress.Builder(10).starts(9, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lookupInOffsetOrderAgreesWithRandomAccess() {
        OffsetProgress p = new OffsetProgress.Builder(100).starts(100, 2).finished(101, 104).starts(104, 1)
                .finished(106, 107).starts(110, 5).build();
        OffsetProgress.Lookup lookup = p.lookup();

        for (long o = 95; o < 120; o++) {
            assertThat(lookup.finished(o)).as("finished(%d)", o).isEqualTo(p.isFinished(o));
            assertThat(lookup.starts(o)).as("starts(%d)", o).isEqualTo(p.startsOf(o));
        }
        assertThat(p.isFinished(101)).isTrue();
        assertThat(p.isFinished(103)).isTrue();
        assertThat(p.isFinished(104)).isFalse();
        assertThat(p.startsOf(110)).isEqualTo(5);
    }

    @Test
    void restoredKnowledgeContinuesFromAnOffset() {
        OffsetProgress restored = new OffsetProgress.Builder(0).finished(2, 10).starts(10, 1).finished(11, 12)
                .build();
        OffsetProgress.Builder next = new OffsetProgress.Builder(5).finished(5, 6);

        restored.continueInto(next, 6);

        assertThat(next.build()).isEqualTo(new OffsetProgress.Builder(5).finished(5, 10).starts(10, 1)
                .finished(11, 12).build());
    }
}
