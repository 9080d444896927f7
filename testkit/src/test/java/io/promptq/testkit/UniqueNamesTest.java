package io.promptq.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UniqueNamesTest {

    @Test
    void nameIsTheBasePlusAHexSuffix() {
        assertThat(UniqueNames.of("registry-it")).matches("registry-it-[0-9a-f]{12}");
    }

    @Test
    void namesDifferFromCallToCall() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            names.add(UniqueNames.of("t"));
        }
        assertThat(names).hasSize(1_000);
    }

    @Test
    void baseThatIsNoLegalTopicNameIsRefusedNamingIt() {
        assertThatThrownBy(() -> UniqueNames.of("jobs topic"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'jobs topic'");
        assertThatThrownBy(() -> UniqueNames.of(""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
