package io.promptq.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.promptq.testkit.internal.ContainersCluster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.opentest4j.TestAbortedException;

/**
 * Given {@code promptq.it.cluster=testcontainers} on a machine without Docker, when a
 * {@link PromptqCluster} test runs, then it is skipped with a message that says how to run it.
 * Only meaningful without Docker, so it runs only there.
 */
class ContainersModeWithoutDockerIT {

    @Test
    void testcontainersModeWithoutDockerSkipsWithAHelpfulMessage() {
        Assumptions.assumeFalse(ContainersCluster.isDockerAvailable(), "Docker is available here; nothing to check");

        Events events = EngineTestKit.engine("junit-jupiter")
                .configurationParameter(ClusterMode.PROPERTY, "testcontainers")
                .selectors(selectClass(NeedsTestcontainersCluster.class))
                .execute()
                .containerEvents();

        var aborted = events.aborted().list();
        assertThat(aborted).hasSize(1);
        Throwable reason = aborted.get(0).getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).orElseThrow();
        assertThat(reason).isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("Docker is not available")
                .hasMessageContaining("promptq.it.cluster=embedded");
        assertThat(NeedsTestcontainersCluster.ran).isFalse();
    }

    /** Run only through the engine test kit above (not an *IT class itself). */
    @PromptqCluster
    static class NeedsTestcontainersCluster {
        static volatile boolean ran;

        @Test
        void wouldUseTheCluster(ClusterInfo cluster) {
            ran = true;
        }
    }
}
