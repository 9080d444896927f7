package io.promptq.producer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StrictUtf8Test {

    @ParameterizedTest(name = "{0} is well-formed")
    @ValueSource(strings = {"plain ascii", "caf\u00e9", "\u20ac \ud55c", "emoji \ud83d\ude00", "\uffff \ud7ff \ue000"})
    void acceptsWellFormedUtf8(String text) {
        assertThat(StrictUtf8.malformedAt(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0}: {1} is refused at {2}")
    @CsvSource({
        "overlong slash, 61c0af, 1",
        "overlong three-byte, e08080, 0",
        "overlong four-byte, f08f8080, 0",
        "encoded high surrogate, 61eda080, 1",
        "encoded low surrogate, edb080, 0",
        "above U+10FFFF, f4908080, 0",
        "lead byte f5, f5808080, 0",
        "lone continuation byte, 6180, 1",
        "truncated sequence, 61e282, 1",
        "bad continuation, e228a1, 0",
        "byte ff, ff, 0"
    })
    void refusesIllFormedSequencesAtTheirFirstByte(String what, String hex, int offset) {
        assertThat(StrictUtf8.malformedAt(HexFormat.of().parseHex(hex))).isEqualTo(offset);
    }
}
