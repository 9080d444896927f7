package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's {@code logback.xml}: every {@code ./promptq} command shares one log file without wiping it. */
class LauncherLogFileTest {

    @TempDir
    Path logDir;

    /**
     * Given a running command (e.g. {@code up}) that has written to the log, when a second command
     * starts with the same log directory, then the first command's lines are still in the file.
     */
    @Test
    void aSecondCommandAppendsToTheLogOfARunningOne() throws Exception {
        LoggerContext up = configure(logDir);
        up.getLogger("io.promptq.up").info("line of the running up");

        LoggerContext status = configure(logDir);
        status.getLogger("io.promptq.status").info("line of a later command");
        up.getLogger("io.promptq.up").info("up still logging");
        status.stop();
        up.stop();

        String log = Files.readString(logDir.resolve("promptq.log"), StandardCharsets.UTF_8);
        assertThat(log).contains("line of the running up", "line of a later command", "up still logging");
    }

    /** A logger context as a fresh CLI process builds it from the launcher's logback.xml. */
    private static LoggerContext configure(Path logDir) throws Exception {
        URL config = LauncherLogFileTest.class.getClassLoader().getResource("logback.xml");
        assertThat(config).as("launcher logback.xml on the class path").isNotNull();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.putProperty("PROMPTQ_LOG_DIR", logDir.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);
        return context;
    }
}
