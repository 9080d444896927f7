package io.promptq.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSourceTest {

    private static final Duration MAX = Duration.ofDays(30);

    @Test
    void unsetAndBlankKeysFallBackToDefaults() {
        ConfigSource config = ConfigSource.of(Map.of("PROMPTQ_BLANK", "  "));

        assertThat(config.integer("PROMPTQ_BLANK", 7, 1, 10)).isEqualTo(7);
        assertThat(config.string("PROMPTQ_MISSING", "x")).isEqualTo("x");
        assertThat(config.optional("PROMPTQ_BLANK")).isEmpty();
    }

    @Test
    void integerOutOfRangeNamesKeyAndValue() {
        ConfigSource config = ConfigSource.of(Map.of("PROMPTQ_WORKER_CONCURRENCY", "0"));

        assertThatThrownBy(() -> config.integer("PROMPTQ_WORKER_CONCURRENCY", 10, 1, 1000))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PROMPTQ_WORKER_CONCURRENCY")
                .hasMessageContaining("'0'")
                .hasMessageContaining("between 1 and 1000");
    }

    @Test
    void nonNumericIntegerIsRejected() {
        ConfigSource config = ConfigSource.of(Map.of("K", "ten"));

        assertThatThrownBy(() -> config.integer("K", 1, 0, 100))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("K"))
                .hasMessageContaining("'ten'");
    }

    @Test
    void durationsAcceptUnitsBareMillisAndIso() {
        ConfigSource config = ConfigSource.of(Map.of(
                "A", "250ms", "B", "5s", "C", "2m", "D", "1500", "E", "PT1H", "F", "1.5s", "G", "7d"));

        assertThat(config.duration("A", Duration.ZERO, Duration.ZERO, MAX)).isEqualTo(Duration.ofMillis(250));
        assertThat(config.duration("B", Duration.ZERO, Duration.ZERO, MAX)).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.duration("C", Duration.ZERO, Duration.ZERO, MAX)).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.duration("D", Duration.ZERO, Duration.ZERO, MAX)).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.duration("E", Duration.ZERO, Duration.ZERO, MAX)).isEqualTo(Duration.ofHours(1));
        assertThat(config.duration("F", Duration.ZERO, Duration.ZERO, MAX)).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.duration("G", Duration.ZERO, Duration.ZERO, MAX)).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void malformedOrOutOfRangeDurationIsRejected() {
        ConfigSource config = ConfigSource.of(Map.of("T", "soon", "U", "2h"));

        assertThatThrownBy(() -> config.duration("T", Duration.ZERO, Duration.ZERO, MAX))
                .isInstanceOf(ConfigException.class).hasMessageContaining("T").hasMessageContaining("'soon'");
        assertThatThrownBy(() -> config.duration("U", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("between 0s and 1h");
    }

    @Test
    void durationListParsesEveryItem() {
        ConfigSource config = ConfigSource.of(Map.of("D", "1s, 2s,4s"));

        assertThat(config.durations("D", List.of(), Duration.ofMillis(1), MAX))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void booleansAreStrict() {
        ConfigSource config = ConfigSource.of(Map.of("A", "yes", "B", "OFF", "C", "maybe"));

        assertThat(config.bool("A", false)).isTrue();
        assertThat(config.bool("B", true)).isFalse();
        assertThatThrownBy(() -> config.bool("C", true)).isInstanceOf(ConfigException.class).hasMessageContaining("'maybe'");
    }

    enum Mode { SIMULATED, OPEN_AI }

    @Test
    void enumsMatchCaseInsensitivelyAndListAllowedValues() {
        ConfigSource config = ConfigSource.of(Map.of("M", "open-ai", "N", "bogus"));

        assertThat(config.enumValue("M", Mode.class, Mode.SIMULATED)).isEqualTo(Mode.OPEN_AI);
        assertThatThrownBy(() -> config.enumValue("N", Mode.class, Mode.SIMULATED))
                .isInstanceOf(ConfigException.class).hasMessageContaining("[simulated, open_ai]");
    }

    @Test
    void prefixSelectsAndStripsKeys() {
        ConfigSource config = ConfigSource.of(Map.of("P_A", "1", "P_B", "2", "Q_C", "3"));

        assertThat(config.withPrefix("P_")).containsExactlyInAnyOrderEntriesOf(Map.of("A", "1", "B", "2"));
    }

    @Test
    void overridesReplaceEntriesWithoutChangingTheOriginal() {
        ConfigSource base = ConfigSource.of(Map.of("A", "1"));
        ConfigSource changed = base.with("A", "2");

        assertThat(base.string("A", null)).isEqualTo("1");
        assertThat(changed.string("A", null)).isEqualTo("2");
    }

    @Test
    void recordsWhichKeysWereRead() {
        ConfigSource config = ConfigSource.of(Map.of("A", "1", "P_X", "2", "UNUSED", "3"));

        config.integer("A", 0, 0, 9);
        config.withPrefix("P_");

        assertThat(config.wasRead("A")).isTrue();
        assertThat(config.wasRead("P_X")).isTrue();
        assertThat(config.wasRead("UNUSED")).isFalse();
    }
}
