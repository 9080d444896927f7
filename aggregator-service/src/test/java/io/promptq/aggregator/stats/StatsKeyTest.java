package io.promptq.aggregator.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.schema.StatsScope;
import org.junit.jupiter.api.Test;

class StatsKeyTest {

    @Test
    void keysRoundTripThroughTheirText() {
        assertThat(StatsKey.parse("overall")).isEqualTo(StatsKey.overall());
        assertThat(StatsKey.parse("model:meta/llama:3")).isEqualTo(new StatsKey(StatsScope.MODEL, "meta/llama:3"));
        assertThat(StatsKey.parse("Tenant:acme")).isEqualTo(StatsKey.tenant("acme"));
        assertThat(StatsKey.model("gpt").toString()).isEqualTo("model:gpt");
        assertThat(StatsKey.model("gpt").windowKey(60_000)).isEqualTo("model:gpt@60000");
    }

    @Test
    void unknownScopesAreRejected() {
        assertThatThrownBy(() -> StatsKey.parse("region:eu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region:eu");
        assertThatThrownBy(() -> StatsKey.parse("model:")).isInstanceOf(IllegalArgumentException.class);
    }
}
