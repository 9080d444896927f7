package io.promptq.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.JvmProcess;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The producer run as its own process: SIGTERM closes it cleanly and it exits with status 0, like every service. */
@PromptqCluster
class ProducerMainIT {

    @Test
    void sigtermAfterStartClosesTheServiceAndExitsZero(ClusterInfo cluster) throws InterruptedException {
        Map<String, String> env = Map.of(
                "PROMPTQ_KAFKA_BOOTSTRAP_SERVERS", cluster.bootstrapServers(),
                "PROMPTQ_SCHEMA_REGISTRY_URL", cluster.schemaRegistryUrl(),
                "PROMPTQ_TOPIC_JOBS", UniqueNames.of("promptq.jobs.main-it"),
                "PROMPTQ_HTTP_PORT", "0");
        try (JvmProcess producer = JvmProcess.builder(ProducerMain.class.getName())
                .name("producer-main-it")
                .jvmArgs("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .env(env)
                .start()) {
            producer.awaitLog("Producer service listening", Duration.ofSeconds(60));

            int exit = producer.stop(Duration.ofSeconds(30));

            assertThat(exit).as(producer.log()).isZero();
            assertThat(producer.log()).contains("Producer service stopped");
        }
    }
}
