package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.config.ConfigSource;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.topic.TopicNames;
import io.promptq.worker.WorkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Docker is not available where the suite runs, so this checks docker-compose.yml against the code:
 * every environment key a service is given is one its configuration reads (and accepts), ports agree
 * with the images and Prometheus, and the worker is scaled by replicas.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static JsonNode services;

    @BeforeAll
    static void parseComposeFile() throws IOException {
        // Jackson's YAML reader keeps "<<" merge keys as plain fields; they are resolved below.
        services = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile()).get("services");
        assertThat(services).as("services in docker-compose.yml").isNotNull();
    }

    @ParameterizedTest
    @CsvSource({"producer-service, 8080", "worker-service, 8082", "aggregator-service, 8083"})
    void everyEnvironmentKeyIsReadAndAcceptedByTheServiceConfig(String service, int port) {
        Map<String, String> env = environment(service);
        ConfigSource config = ConfigSource.of(env);
        Consumer<ConfigSource> build = switch (service) {
            case "producer-service" -> ProducerServiceConfig::from;
            case "worker-service" -> WorkerConfig::from;
            default -> AggregatorConfig::from;
        };

        build.accept(config);

        assertThat(env.keySet()).as("keys set for " + service).isNotEmpty()
                .allSatisfy(key -> assertThat(config.wasRead(key)).as(service + " reads " + key).isTrue());
        assertThat(env).containsEntry("PROMPTQ_HTTP_PORT", Integer.toString(port));
    }

    @ParameterizedTest
    @CsvSource({"producer-service, 8080", "worker-service, 8082", "aggregator-service, 8083"})
    void portsAgreeBetweenComposeDockerfileHealthcheckAndPrometheus(String service, int port) throws IOException {
        JsonNode svc = services.get(service);
        List<String> containerPorts = new ArrayList<>();
        svc.path("ports").forEach(p -> containerPorts.add(p.asText().replaceAll(".*:", "")));
        svc.path("expose").forEach(p -> containerPorts.add(p.asText()));
        assertThat(containerPorts).containsExactly(Integer.toString(port));
        assertThat(svc.path("healthcheck").path("test").toString()).contains("/" + port + " ").contains("/health/ready");

        JsonNode build = svc.path("build");
        assertThat(build.path("args").path("SERVICE").asText()).isEqualTo(service);
        assertThat(build.path("args").path("PORT").asText()).isEqualTo(Integer.toString(port));
        Path dockerfile = ROOT.resolve(build.path("dockerfile").asText("Dockerfile"));
        assertThat(dockerfile).exists();
        String docker = Files.readString(dockerfile);
        assertThat(docker).contains("EXPOSE ${PORT}").contains("PROMPTQ_HTTP_PORT=${PORT}")
                .contains("-pl \"${SERVICE}\"").contains("/target/${SERVICE}.jar");
        assertThat(Files.readString(ROOT.resolve(service).resolve("pom.xml")))
                .as("the Dockerfile copies target/%s.jar", service)
                .contains("<finalName>${project.artifactId}</finalName>")
                .contains("<artifactId>" + service + "</artifactId>")
                .contains("<classpathPrefix>lib/</classpathPrefix>");

        String prometheus = Files.readString(ROOT.resolve("deploy/prometheus.yml"));
        assertThat(prometheus).contains("job_name: " + service);
        assertThat(prometheus).containsPattern(Pattern.quote(service) + "[\\s\\S]*?" + port);
    }

    @Test
    void workersScaleByReplicasWithoutHostPorts() {
        JsonNode worker = services.get("worker-service");

        assertThat(worker.path("deploy").path("replicas").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(worker.has("ports")).as("host ports would collide between replicas").isFalse();
        assertThat(worker.has("container_name")).as("a fixed container name prevents scaling").isFalse();
    }

    @Test
    void kafkaImageMatchesTheClientVersionAndTopicsMatchTheDefaults() {
        assertThat(services.path("kafka").path("image").asText()).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());

        String script = services.path("create-topics").path("command").toString();
        List<String> created = new ArrayList<>();
        Matcher m = Pattern.compile("--topic ([\\w.\\-]+)").matcher(script);
        while (m.find()) {
            created.add(m.group(1));
        }
        TopicNames names = TopicNames.defaults();
        List<String> expected = new ArrayList<>(List.of(names.jobs(), names.deadLetters(), names.results(), names.totals(), names.windows()));
        expected.addAll(names.retries(WorkerConfig.from(ConfigSource.empty()).retryDelays().size()));
        assertThat(created).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(script).containsPattern(Pattern.quote(names.totals()) + "[^\\n]*cleanup.policy=compact");
    }

    @Test
    void servicesWaitForTopicsAndRegistryAndEveryServiceHasAnImage() {
        for (String service : List.of("producer-service", "worker-service", "aggregator-service")) {
            JsonNode dependsOn = services.get(service).path("depends_on");
            assertThat(dependsOn.path("create-topics").path("condition").asText()).isEqualTo("service_completed_successfully");
            assertThat(dependsOn.path("schema-registry").path("condition").asText()).isEqualTo("service_healthy");
            assertThat(services.get(service).path("image").asText()).startsWith("promptq/" + service + ":");
        }
        assertThat(services.path("prometheus").path("image").asText()).startsWith("prom/prometheus:");
    }

    /** The service's environment with YAML merge keys ({@code <<: *anchor}) resolved. */
    private static Map<String, String> environment(String service) {
        JsonNode env = services.get(service).path("environment");
        Map<String, String> result = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = env.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals("<<")) {
                field.getValue().fields().forEachRemaining(e -> result.putIfAbsent(e.getKey(), e.getValue().asText()));
            } else {
                result.put(field.getKey(), field.getValue().asText());
            }
        }
        return result;
    }
}
