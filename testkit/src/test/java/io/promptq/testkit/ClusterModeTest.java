package io.promptq.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ClusterModeTest {

    @Test
    void propertyChoosesTheMode() {
        assertThat(ClusterMode.resolve(Map.of(ClusterMode.PROPERTY, "testcontainers")::get)).isEqualTo(ClusterMode.TESTCONTAINERS);
        assertThat(ClusterMode.resolve(Map.of(ClusterMode.PROPERTY, " Embedded ")::get)).isEqualTo(ClusterMode.EMBEDDED);
    }

    @Test
    void unsetOrUnresolvedPropertyFallsBackToEmbedded() {
        // (assumes PROMPTQ_IT_CLUSTER is not set in the environment of the build)
        if (System.getenv(ClusterMode.ENV) == null) {
            assertThat(ClusterMode.resolve(key -> null)).isEqualTo(ClusterMode.EMBEDDED);
            assertThat(ClusterMode.resolve(Map.of(ClusterMode.PROPERTY, "${env.PROMPTQ_IT_CLUSTER}")::get))
                    .isEqualTo(ClusterMode.EMBEDDED);
        }
    }

    @Test
    void unknownModeIsRejectedWithTheAcceptedValues() {
        assertThatThrownBy(() -> ClusterMode.resolve(Map.of(ClusterMode.PROPERTY, "docker")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dpromptq.it.cluster must be 'embedded' or 'testcontainers', but was 'docker'");
    }
}
