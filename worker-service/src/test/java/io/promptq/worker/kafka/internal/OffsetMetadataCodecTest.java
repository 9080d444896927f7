package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OffsetMetadataCodecTest {

    private static final int LIMIT = OffsetMetadataCodec.DEFAULT_MAX_CHARS;

    private static OffsetProgress roundTrip(OffsetProgress p, int maxChars) {
        String metadata = OffsetMetadataCodec.encode(p, maxChars);
        assertThat(metadata.length()).as("encoded length").isLessThanOrEqualTo(maxChars);
        OffsetMetadataCodec.Decoded decoded = OffsetMetadataCodec.decode(p.position(), metadata);
        assertThat(decoded.problem()).isNull();
        return decoded.progress();
    }

    /** Random progress: finished ranges with {@code density} of offsets finished, and a few start counts. */
    private static OffsetProgress randomProgress(Random random, long position, int span, double density,
            int maxRun) {
        OffsetProgress.Builder b = new OffsetProgress.Builder(position);
        long offset = position;
        long end = position + span;
        boolean finished = false;
        while (offset < end) {
            long run = 1 + random.nextInt(maxRun);
            long to = Math.min(end, offset + run);
            if (finished) {
                b.finished(offset, to);
            } else if (random.nextDouble() > density) {
                b.starts(offset, 1 + random.nextInt(5));
            }
            offset = to;
            finished = random.nextDouble() < density;
        }
        return b.build();
    }

    @Test
    void nothingKnownEncodesToTheEmptyString() {
        assertThat(OffsetMetadataCodec.encode(OffsetProgress.none(42), LIMIT)).isEmpty();
    }

    @Test
    void finishedOffsetsAndStartCountsRoundTripExactly() {
        OffsetProgress p = new OffsetProgress.Builder(1_000_000_000L)
                .starts(1_000_000_000L, 3)
                .finished(1_000_000_002L, 1_000_000_010L)
                .starts(1_000_000_010L, 1)
                .finished(1_000_000_011L, 1_000_000_012L)
                .build();

        String metadata = OffsetMetadataCodec.encode(p, LIMIT);

        assertThat(metadata).startsWith(OffsetMetadataCodec.PREFIX);
        assertThat(roundTrip(p, LIMIT)).isEqualTo(p);
    }

    @Test
    void randomProgressRoundTripsExactlyWhenItFits() {
        Random random = new Random(11);
        for (int round = 0; round < 500; round++) {
            long position = random.nextInt(2) == 0 ? random.nextInt(100) : random.nextLong(1L << 50);
            OffsetProgress p = randomProgress(random, position, 1 + random.nextInt(10_000), random.nextDouble(),
                    1 + random.nextInt(round % 2 == 0 ? 3 : 500));

            assertThat(roundTrip(p, 1 << 20)).as("round %d: %s", round, p).isEqualTo(p);
        }
    }

    @Test
    void anyProgressEncodesWithinAnyLimitAndClaimsNothingThatWasNotSo() {
        Random random = new Random(5);
        for (int round = 0; round < 300; round++) {
            OffsetProgress p = randomProgress(random, random.nextInt(1_000), 1 + random.nextInt(50_000),
                    random.nextDouble(), 1 + random.nextInt(4));
            int limit = random.nextInt(3) == 0 ? random.nextInt(64) : random.nextInt(LIMIT);

            OffsetProgress decoded = roundTrip(p, limit);

            for (int i = 0; i < decoded.finishedRanges(); i++) {
                for (long o = decoded.finishedFrom(i); o < decoded.finishedTo(i); o++) {
                    assertThat(p.isFinished(o)).as("round %d: %d decoded as finished", round, o).isTrue();
                }
            }
            for (int i = 0; i < decoded.startEntries(); i++) {
                assertThat(decoded.startCount(i)).isEqualTo(p.startsOf(decoded.startOffset(i)));
                assertThat(decoded.startOffset(i)).as("the lowest start counts are kept")
                        .isEqualTo(p.startOffset(i));
            }
        }
    }

    @Test
    void scatteredCompletionsAreWrittenAsABitsetThatFitsTheDefaultLimit() {
        OffsetProgress.Builder b = new OffsetProgress.Builder(0);
        for (long o = 1; o < 10_000; o += 2) { // every other offset of 10,000 finished: 5,000 runs of 1
            b.finished(o, o + 1);
        }
        OffsetProgress p = b.build();

        String metadata = OffsetMetadataCodec.encode(p, LIMIT);

        assertThat(metadata.length()).isLessThan(OffsetMetadataCodec.PREFIX.length() + 1_700);
        assertThat(roundTrip(p, LIMIT)).isEqualTo(p);
    }

    @Test
    void clusteredCompletionsAreWrittenAsRunLengths() {
        OffsetProgress p = new OffsetProgress.Builder(0).starts(0, 1).finished(1, 1_000_000).build();

        String metadata = OffsetMetadataCodec.encode(p, LIMIT);

        assertThat(metadata.length()).as("a million finished offsets in a few bytes").isLessThan(20);
        assertThat(roundTrip(p, LIMIT)).isEqualTo(p);
    }

    @Test
    void metadataTooLargeDropsTheFinishedSetButKeepsStartCounts() {
        OffsetProgress p = new OffsetProgress.Builder(0)
                .starts(0, 2).starts(1, 1).starts(2, 7)
                .finished(3, 4).finished(5, 6).finished(7, 8)
                .build();
        // Payload: position (1 byte) + encoding (1) + 3 start counts (1 + 3 x 2) = 9 bytes = 12 base64 chars.
        int limit = OffsetMetadataCodec.PREFIX.length() + 12;

        OffsetProgress decoded = roundTrip(p, limit);

        assertThat(decoded.finishedRanges()).isZero();
        assertThat(decoded).isEqualTo(new OffsetProgress.Builder(0).starts(0, 2).starts(1, 1).starts(2, 7).build());
    }

    @Test
    void metadataTooLargeKeepsTheLowestFinishedOffsetsThatFit() {
        OffsetProgress.Builder b = new OffsetProgress.Builder(0).starts(0, 4);
        for (long o = 1; o < 100_000; o += 2) { // 12.5 KB as a bitset: does not fit 4 KB
            b.finished(o, o + 1);
        }
        OffsetProgress p = b.build();

        OffsetProgress decoded = roundTrip(p, LIMIT);

        assertThat(decoded.startsOf(0)).isEqualTo(4);
        assertThat(decoded.finishedRanges()).isGreaterThan(10_000).isLessThan(p.finishedRanges());
        for (int i = 0; i < decoded.finishedRanges(); i++) {
            assertThat(decoded.finishedFrom(i)).isEqualTo(p.finishedFrom(i));
            assertThat(decoded.finishedTo(i)).isEqualTo(p.finishedTo(i));
        }
    }

    @Test
    void startCountsThatDoNotAllFitKeepTheLowestOffsets() {
        OffsetProgress.Builder b = new OffsetProgress.Builder(0).finished(0, 5);
        for (long o = 5; o < 5_000; o++) {
            b.starts(o, 1);
        }
        OffsetProgress p = b.build();

        OffsetProgress decoded = roundTrip(p, 200);

        assertThat(decoded.finishedRanges()).isZero();
        assertThat(decoded.startEntries()).isPositive().isLessThan(p.startEntries());
        assertThat(decoded.startOffset(0)).isEqualTo(5);
    }

    @Test
    void aLimitTooSmallForAnythingGivesTheEmptyString() {
        OffsetProgress p = new OffsetProgress.Builder(0).starts(0, 1).build();

        assertThat(OffsetMetadataCodec.encode(p, 0)).isEmpty();
        assertThat(OffsetMetadataCodec.encode(p, OffsetMetadataCodec.PREFIX.length() + 2)).isEmpty();
    }

    @Test
    void missingMetadataRestoresNothingQuietly() {
        for (String metadata : new String[] {null, ""}) {
            OffsetMetadataCodec.Decoded d = OffsetMetadataCodec.decode(7, metadata);
            assertThat(d.progress()).isEqualTo(OffsetProgress.none(7));
            assertThat(d.problem()).isNull();
        }
    }

    @Test
    void garbageMetadataRestoresNothing() {
        String valid = OffsetMetadataCodec.encode(new OffsetProgress.Builder(7).starts(7, 1).finished(8, 20).build(),
                LIMIT);
        String[] garbage = {
            "hello",
            "AQAAAAAAAAAA", // Kafka Streams' base64 (version byte 1)
            "pq1:",
            "pq1:!!!not base64!!!",
            "pq2:" + valid.substring(4), // a future version
            valid.substring(0, valid.length() - 2), // truncated
            valid + "AAAA", // trailing bytes
            OffsetMetadataCodec.PREFIX + Base64.getEncoder().encodeToString(new byte[] {7, 9, 0}), // unknown kind
            OffsetMetadataCodec.PREFIX + Base64.getEncoder().encodeToString(new byte[] {7, 1, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}), // more runs than bytes
        };
        for (String metadata : garbage) {
            OffsetMetadataCodec.Decoded d = OffsetMetadataCodec.decode(7, metadata);
            assertThat(d.progress()).as(metadata).isEqualTo(OffsetProgress.none(7));
            assertThat(d.problem()).as(metadata).isNotBlank();
        }
    }

    @Test
    void metadataWrittenForAnotherOffsetRestoresNothing() {
        String metadata = OffsetMetadataCodec.encode(new OffsetProgress.Builder(7).finished(8, 9).build(), LIMIT);

        OffsetMetadataCodec.Decoded d = OffsetMetadataCodec.decode(100, metadata);

        assertThat(d.progress()).isEqualTo(OffsetProgress.none(100));
        assertThat(d.problem()).contains("offset 7");
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(3);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            if (bytes.length > 0) {
                bytes[0] = 0; // position 0, to get past the position check now and then
            }
            String metadata = OffsetMetadataCodec.PREFIX + Base64.getEncoder().withoutPadding().encodeToString(bytes);

            OffsetMetadataCodec.Decoded d = OffsetMetadataCodec.decode(0, metadata);

            assertThat(d.progress().position()).isZero();
        }
    }
}
