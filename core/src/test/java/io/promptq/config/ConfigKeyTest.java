package io.promptq.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigKeyTest {

    private static final ConfigKey<Integer> LIMIT = ConfigKey.integer("PROMPTQ_LIMIT", 10, 1, 1000);

    @Test
    void unsetKeyReadsTheDefaultAndSetKeyIsParsed() {
        assertThat(LIMIT.read(ConfigSource.empty())).isEqualTo(10);
        assertThat(LIMIT.read(ConfigSource.of(Map.of("PROMPTQ_LIMIT", " 42 ")))).isEqualTo(42);
        assertThat(LIMIT.readOptional(ConfigSource.empty())).isEmpty();
    }

    @Test
    void readAndCheckRefuseTheSameValueWithTheSameMessage() {
        assertThatThrownBy(() -> LIMIT.read(ConfigSource.of(Map.of("PROMPTQ_LIMIT", "0"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PROMPTQ_LIMIT: invalid value '0', must be between 1 and 1000");
        assertThatThrownBy(() -> LIMIT.check(0))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PROMPTQ_LIMIT: invalid value '0', must be between 1 and 1000");
    }

    @Test
    void unparsableNumberNamesTheKindAndTheBounds() {
        assertThatThrownBy(() -> LIMIT.parse("ten"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("PROMPTQ_LIMIT"))
                .hasMessageContaining("'ten'").hasMessageContaining("must be an integer between 1 and 1000");
        assertThatThrownBy(() -> ConfigKey.decimal("RATE", 0, 0, 1).parse("often"))
                .hasMessageContaining("'often'").hasMessageContaining("must be a number between 0 and 1");
    }

    @Test
    void durationBoundsArePrintedInTheShortForm() {
        ConfigKey<Duration> timeout = ConfigKey.duration("T", Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofMinutes(10));

        assertThatThrownBy(() -> timeout.check(Duration.ofHours(1)))
                .hasMessage("T: invalid value '1h', must be between 1ms and 10m");
        assertThatThrownBy(() -> timeout.parse("soon")).hasMessageContaining("'soon'").hasMessageContaining(Durations.EXPECTED_FORM);
    }

    @Test
    void extraRulesApplyToParsedAndProgrammaticValues() {
        ConfigKey<Integer> replication = ConfigKey.integer("R", -1, -1, 100).and(v -> v != 0, "must be -1 or at least 1");

        assertThatThrownBy(() -> replication.parse("0")).hasMessage("R: invalid value '0', must be -1 or at least 1");
        assertThatThrownBy(() -> replication.check(0)).hasMessage("R: invalid value '0', must be -1 or at least 1");
        assertThat(replication.check(-1)).isEqualTo(-1);
    }

    @Test
    void missingValueWithoutDefaultIsRequired() {
        ConfigKey<String> id = ConfigKey.text("ID");

        assertThatThrownBy(() -> id.read(ConfigSource.empty())).hasMessage("ID: is required but not set");
        assertThatThrownBy(() -> id.check(null)).hasMessage("ID: is required but not set");
        assertThatThrownBy(() -> id.check(" ")).hasMessageContaining("must not be blank");
    }

    @Test
    void secretValuesNeverAppearInMessages() {
        ConfigKey<String> token = ConfigKey.text("TOKEN").and(v -> v.length() > 8, "must be longer than 8 characters").secret();

        assertThatThrownBy(() -> token.parse("hunter2")).hasMessageNotContaining("hunter2").hasMessageContaining("[hidden]");
    }

    @Test
    void durationListChecksEveryItemAndPrintsTheListAsWritten() {
        ConfigKey<List<Duration>> delays = ConfigKey.durations("D", List.of(Duration.ofSeconds(5)), Duration.ZERO, Duration.ofHours(1));

        assertThat(delays.parse("1s, 2s,4s")).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(delays.format(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5)))).isEqualTo("5s,5m");
        assertThatThrownBy(() -> delays.parse("1s,2h")).hasMessageContaining("'1s,2h'").hasMessageContaining("each must be between 0s and 1h");
        assertThatThrownBy(() -> delays.parse(",")).hasMessageContaining("must list at least one duration");
    }

    enum Mode { CLASSIC, CONSUMER }

    @Test
    void enumKeysPrintLowerCaseAndListTheAllowedValues() {
        ConfigKey<Mode> mode = ConfigKey.enumeration("M", Mode.class, Mode.CLASSIC);

        assertThat(mode.format(Mode.CONSUMER)).isEqualTo("consumer");
        assertThatThrownBy(() -> mode.parse("eager")).hasMessageContaining("must be one of [classic, consumer]");
    }

    @Test
    void readingAKeyMarksItRead() {
        ConfigSource source = ConfigSource.of(Map.of("PROMPTQ_LIMIT", "5"));

        LIMIT.read(source);

        assertThat(source.wasRead("PROMPTQ_LIMIT")).isTrue();
    }
}
