package io.promptq.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScenarioTest {

    @Test
    void cliNamesRoundTrip() {
        for (Scenario s : Scenario.values()) {
            assertThat(Scenario.parse(s.cliName())).isEqualTo(s);
        }
        assertThat(Scenario.parse(" Added-Latency ")).isEqualTo(Scenario.ADDED_LATENCY);
    }

    @Test
    void aRunWithoutScenariosLeavesOutOnlyTheOptInNoStatesRun() {
        assertThat(Scenario.defaults()).containsExactly(Scenario.RAW, Scenario.NOOP, Scenario.LATENCY,
                Scenario.ADDED_LATENCY, Scenario.SCALING, Scenario.MEMORY);
        assertThat(Scenario.parse("noop-no-states")).isEqualTo(Scenario.NOOP_NO_STATES);
    }

    @Test
    void unknownNameListsTheChoices() {
        assertThatThrownBy(() -> Scenario.parse("fast")).hasMessageContaining("raw, noop, latency");
    }
}
