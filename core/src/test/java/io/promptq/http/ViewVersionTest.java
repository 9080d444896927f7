package io.promptq.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ViewVersionTest {

    @Test
    void absentOrBlankIsNoVersion() {
        assertThat(ViewVersion.parse(null)).isNull();
        assertThat(ViewVersion.parse("  ")).isNull();
    }

    @Test
    void aNonNegativeIntegerIsAVersionBlanksAside() {
        assertThat(ViewVersion.parse("0")).isZero();
        assertThat(ViewVersion.parse(" 2147483646 ")).isEqualTo(2_147_483_646L);
        assertThat(ViewVersion.parse("4294967296")).as("a redriven job's version carries its generation above 32 bits")
                .isEqualTo(1L << 32);
    }

    @Test
    void negativeOrNonIntegerValuesAreRefusedNamingTheValue() {
        for (String bad : new String[] {"-1", "x", "1.5", "9223372036854775808"}) {
            assertThatThrownBy(() -> ViewVersion.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("must be a job view version (an integer >= 0), but was '" + bad + "'");
        }
    }
}
