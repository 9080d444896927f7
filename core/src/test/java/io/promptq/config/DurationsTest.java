package io.promptq.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} is {1} ns")
    @CsvSource({
            "250ms, 250000000", "1.5s, 1500000000", "2m, 120000000000", "1h, 3600000000000", "7d, 604800000000000",
            "1500, 1500000000", "PT5S, 5000000000", "pt1h, 3600000000000", "0.5ms, 500000", "2 s, 2000000000",
            "1.5MS, 1500000"})
    void readsEveryUnitBareMillisAndIso(String text, long nanos) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource({
            "0, 0s", "250000000, 250ms", "1500000000, 1500ms", "30000000000, 30s", "60000000000, 1m",
            "7200000000000, 2h", "86400000000000, 1d", "500000, 0.5ms", "1250000, 1.25ms"})
    void printsTheLargestWholeUnitAndSubMillisecondFractions(long nanos, String text) {
        assertThat(Durations.format(Duration.ofNanos(nanos))).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"5s", "250ms", "0.5ms", "1m", "3d", "1500ms"})
    void formatReadsBack(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }

    @Test
    void textThatIsNotADurationIsRefusedWithTheExpectedForm() {
        for (String bad : new String[] {"soon", "5 sec", "-1s", "PTX", ""}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(Durations.EXPECTED_FORM);
        }
    }
}
