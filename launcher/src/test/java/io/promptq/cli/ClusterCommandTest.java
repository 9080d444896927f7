package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The env snippet {@code promptq cluster} prints, and its options. */
class ClusterCommandTest {

    @Test
    void envSnippetExportsTheBootstrapServersAndTheRegistryUrlUnderTheServicesKeys() {
        assertThat(ClusterCommand.envSnippet("127.0.0.1:9092,127.0.0.1:9093", "http://127.0.0.1:8081/apis/ccompat/v7"))
                .containsExactly(
                        "export PROMPTQ_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092,127.0.0.1:9093",
                        "export PROMPTQ_SCHEMA_REGISTRY_URL=http://127.0.0.1:8081/apis/ccompat/v7");
    }

    @Test
    void defaultsAreStablePortsAndADataDirectoryInTheWorkingDirectory() {
        ClusterCommand command = new ClusterCommand();
        new CommandLine(command).parseArgs();

        assertThat(command.brokers).isEqualTo(1);
        assertThat(command.kafkaPort).isEqualTo(9092);
        assertThat(command.registryPort).isEqualTo(8081);
        assertThat(command.dataDir.toString()).isEqualTo(".promptq/cluster");
    }

    @Test
    void brokerCountsOtherThanOneOrThreeAreRefusedBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        CommandLine cli = PromptqCli.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("cluster", "--brokers", "2", "--data-dir", "target/never-created");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("--brokers must be 1 or 3, but was 2");
    }
}
