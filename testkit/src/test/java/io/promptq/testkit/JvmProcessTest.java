package io.promptq.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Child JVMs start with the test's class path and environment, and die by SIGKILL or stop by SIGTERM. */
class JvmProcessTest {

    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private JvmProcess.Builder sleeper(String name) {
        return JvmProcess.builder(SleeperMain.class.getName())
                .name(name)
                .jvmArgs("-Xmx32m", "-XX:TieredStopAtLevel=1")
                .env(Map.of("SLEEPER_GREETING", "hello"))
                .logFile(dir.resolve(name + ".log"));
    }

    @Test
    void killSendsSigkillSoNoShutdownHookRuns() throws Exception {
        try (JvmProcess child = sleeper("killed").args("a", "b").start()) {
            child.awaitLog("ready hello a b", START);

            int status = child.kill();

            assertThat(status).isEqualTo(JvmProcess.SIGKILL_EXIT);
            assertThat(child.isAlive()).isFalse();
            assertThat(child.log()).doesNotContain("shutdown hook ran");
        }
    }

    @Test
    void stopSendsSigtermSoShutdownHooksRun() throws Exception {
        try (JvmProcess child = sleeper("stopped").start()) {
            child.awaitLog("ready hello", START);

            int status = child.stop(Duration.ofSeconds(30));

            assertThat(status).isEqualTo(JvmProcess.SIGTERM_EXIT);
            assertThat(child.log()).contains("shutdown hook ran");
        }
    }

    @Test
    void waitingForALineFailsAtOnceWhenTheChildExitsWithoutIt() throws Exception {
        try (JvmProcess child = sleeper("exits").args("exit").start()) {
            assertThatThrownBy(() -> child.awaitLog("never logged", START))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("exited with status 3");
        }
    }

    @Test
    void closeKillsAChildThatStillRuns() throws Exception {
        JvmProcess child = sleeper("closed").start();
        child.awaitLog("ready", START);

        child.close();

        assertThat(child.isAlive()).isFalse();
    }
}
