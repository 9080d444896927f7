package io.promptq.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class WorkerHeadersTest {

    private static final long DUE_AT = 1_764_630_000_123L;

    @Test
    void theDueTimeIsWrittenAsDecimalDigitsSoKafkaUiAndKcatCanReadIt() {
        assertThat(new String(WorkerHeaders.millis(DUE_AT), StandardCharsets.US_ASCII)).isEqualTo("1764630000123");
    }

    @Test
    void decimalAndLegacyEightByteBinaryValuesAreBothRead() {
        Headers decimal = new RecordHeaders().add(WorkerHeaders.DUE_AT, WorkerHeaders.millis(DUE_AT));
        Headers binary = new RecordHeaders().add(WorkerHeaders.DUE_AT,
                ByteBuffer.allocate(Long.BYTES).putLong(DUE_AT).array());

        assertThat(WorkerHeaders.millis(decimal, WorkerHeaders.DUE_AT)).hasValue(DUE_AT);
        assertThat(WorkerHeaders.millis(binary, WorkerHeaders.DUE_AT)).hasValue(DUE_AT);
        assertThat(WorkerHeaders.parseMillis(ascii("12345678"))).as("8 digits are decimal").hasValue(12_345_678L);
    }

    @Test
    void theWholeRangeOfALongRoundTrips() {
        for (long value : new long[] {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertThat(WorkerHeaders.parseMillis(WorkerHeaders.millis(value))).hasValue(value);
        }
    }

    @Test
    void malformedValuesAreEmptyInsteadOfThrowing() {
        assertThat(WorkerHeaders.parseMillis(null)).isEmpty();
        assertThat(WorkerHeaders.parseMillis(new byte[0])).isEmpty();
        assertThat(WorkerHeaders.parseMillis(new byte[] {0, 0, 1, 2, 3})).as("neither digits nor 8 bytes").isEmpty();
        assertThat(WorkerHeaders.parseMillis(ascii("soon"))).isEmpty();
        assertThat(WorkerHeaders.parseMillis(ascii("tomorrow"))).as("8 bytes of text are not a binary long").isEmpty();
        assertThat(WorkerHeaders.parseMillis(ascii("17646300x0123"))).isEmpty();
        assertThat(WorkerHeaders.parseMillis(ascii("-"))).isEmpty();
        assertThat(WorkerHeaders.parseMillis(ascii(" 1764630000123"))).isEmpty();
        assertThat(WorkerHeaders.parseMillis(ascii("9223372036854775808"))).as("beyond Long.MAX_VALUE").isEmpty();
        assertThat(WorkerHeaders.parseMillis(ascii("99999999999999999999"))).isEmpty();
        assertThat(WorkerHeaders.millis(new RecordHeaders(), WorkerHeaders.DUE_AT)).isEmpty();
        assertThat(WorkerHeaders.millis(null, WorkerHeaders.DUE_AT)).isEmpty();
        assertThat(WorkerHeaders.millis(new RecordHeaders().add(WorkerHeaders.DUE_AT, null), WorkerHeaders.DUE_AT))
                .isEmpty();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
