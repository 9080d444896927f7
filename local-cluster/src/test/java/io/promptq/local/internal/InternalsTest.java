package io.promptq.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InternalsTest {

    @Test
    void freePortsAreDistinctAndBindableOnLoopback() throws Exception {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ports.add(FreePorts.next());
        }
        assertThat(ports).hasSize(20);
        int port = ports.iterator().next();
        assertThat(FreePorts.isFree(port)).isTrue();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(FreePorts.loopback(), port));
            assertThat(FreePorts.isFree(port)).isFalse();
        }
    }

    @Test
    void kafkaCannotExitOrHaltTheJvmOnceGuarded() {
        ExitGuard.install();
        assertThatThrownBy(() -> Exit.exit(3, "test")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exit(3)");
        assertThatThrownBy(() -> Exit.halt(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("halt(1)");
    }

    @Test
    void explicitApicurioHomeWithoutRunnerJarFailsNamingTheDirectory(@TempDir Path empty) {
        assertThatThrownBy(() -> ApicurioDistribution.locate(Optional.of(empty)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(empty.toAbsolutePath().toString())
                .hasMessageContaining("runner.jar");
    }

    @Test
    void buildPropertiesPointAtTheUnpackedRegistry() {
        ApicurioDistribution distribution = ApicurioDistribution.locate(Optional.empty());
        assertThat(distribution.version()).isEqualTo("2.6.13.Final");
        assertThat(distribution.runnerJar().getFileName().toString()).isEqualTo("apicurio-registry-app-2.6.13.Final-runner.jar");
    }
}
