package io.promptq.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.promptq.local.internal.FreePorts;
import org.junit.jupiter.api.Test;

class LocalSchemaRegistryIT {

    @Test
    void aRegistryThatCannotStartReportsTheEndOfItsLog() {
        LocalSchemaRegistry.Config broken = LocalSchemaRegistry.Config.builder()
                .jvmOptions(List.of("-XX:+PromptqNoSuchJvmFlag"))
                .classDataSharing(false)
                .build();

        assertThatThrownBy(() -> LocalSchemaRegistry.start(broken))
                .isInstanceOf(LocalClusterException.class)
                .hasMessageContaining("did not start")
                .hasMessageContaining("PromptqNoSuchJvmFlag")
                .hasMessageContaining("--- last lines of");
    }

    /**
     * Given a JVM that started a registry, when that JVM is killed with SIGKILL (no shutdown hooks),
     * then the registry's watchdog ends the registry too, frees its port and removes its files.
     */
    @Test
    void theRegistryDiesWithItsParentEvenWhenTheParentIsKilled() throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process parent = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                RegistryHolderMain.class.getName())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            long pid = -1;
            int port = -1;
            Path workDir = null;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(RegistryHolderMain.READY)) {
                    String[] parts = line.substring(RegistryHolderMain.READY.length()).trim().split(" ");
                    pid = Long.parseLong(parts[0]);
                    port = Integer.parseInt(parts[1]);
                    workDir = Path.of(parts[2]);
                    break;
                }
            }
            assertThat(pid).as("registry started by the child JVM").isPositive();
            ProcessHandle registry = ProcessHandle.of(pid).orElseThrow();

            parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            registry.onExit().get(20, TimeUnit.SECONDS);
            assertThat(registry.isAlive()).isFalse();
            assertThat(FreePorts.isFree(port)).isTrue();
            assertThat(Files.exists(workDir)).as("temporary directory %s removed", workDir).isFalse();
        } finally {
            parent.destroyForcibly();
        }
    }

    /**
     * Given a registry started with the default BACKWARD rule, when a Confluent client asks for the
     * global level, then it is told BACKWARD (not Apicurio's stored default NONE).
     */
    @Test
    void theConfluentApiReportsTheEnforcedCompatibilityLevel() throws Exception {
        try (LocalSchemaRegistry registry = LocalSchemaRegistry.start();
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "/config")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body().replace(" ", "")).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
        }
    }

    @Test
    void closeStopsTheProcessAndDeletesItsFiles() {
        LocalSchemaRegistry registry = LocalSchemaRegistry.start();
        ProcessHandle process = registry.process();
        Path log = registry.logFile();
        assertThat(Files.exists(log)).isTrue();

        registry.close();
        registry.close(); // idempotent

        assertThat(process.isAlive()).isFalse();
        assertThat(Files.exists(log.getParent())).isFalse();
        assertThat(FreePorts.isFree(registry.port())).isTrue();
    }
}
