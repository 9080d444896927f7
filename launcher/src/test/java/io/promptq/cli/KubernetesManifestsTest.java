package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.config.ConfigSource;
import io.promptq.http.OpsServer;
import io.promptq.kafka.KafkaSettings;
import io.promptq.metrics.Metrics;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.worker.WorkerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * No Kubernetes cluster is available where the suite runs, so this checks deploy/kubernetes against the code, as
 * {@link ComposeFileTest} does for docker-compose.yml: every environment key a Deployment gives a service is one its
 * configuration reads and accepts, probes use the service's configured port and paths its HTTP server answers, the
 * worker's kill deadline exceeds its shutdown grace, and KEDA watches the worker's group and jobs topic with no more
 * replicas than the topic has partitions.
 */
class KubernetesManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DIR = ROOT.resolve("deploy/kubernetes");
    /** Stands in for values Kubernetes fills in (the downward API's pod IP). */
    private static final String FIELD_REF_VALUE = "10.0.0.7";

    private static final Map<String, JsonNode> byKindAndName = new HashMap<>();
    private static final Map<String, String> fileOf = new HashMap<>();

    @BeforeAll
    static void parseManifests() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc == null || doc.isEmpty()) {
                            continue;
                        }
                        String key = doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
                        assertThat(byKindAndName.put(key, doc)).as("duplicate " + key).isNull();
                        fileOf.put(key, file.getFileName().toString());
                    }
                }
            }
        }
        assertThat(byKindAndName).as("manifests in " + DIR).isNotEmpty();
    }

    @ParameterizedTest
    @CsvSource({"producer, promptq/producer-service", "worker, promptq/worker-service",
            "aggregator, promptq/aggregator-service"})
    void everyEnvironmentKeyIsReadAndAcceptedByTheServiceConfigAndImagesAreTheComposeImages(String service,
            String image) throws IOException {
        JsonNode container = container(service);
        Map<String, String> env = environment(container);
        ConfigSource config = ConfigSource.of(env);

        int httpPort = httpPort(service, config);

        assertThat(env.keySet()).as("keys set for " + service).isNotEmpty()
                .allSatisfy(key -> assertThat(config.wasRead(key)).as(service + " reads " + key).isTrue());
        assertThat(env).containsEntry("PROMPTQ_HTTP_HOST", "0.0.0.0");
        assertThat(httpPort).isPositive();
        assertThat(container.path("image").asText()).startsWith(image + ":")
                .isEqualTo(composeImage(image));
    }

    @ParameterizedTest
    @CsvSource({"producer", "worker", "aggregator"})
    void probesUseTheConfiguredPortAndPathsTheServicesHttpServerAnswers(String service) throws Exception {
        JsonNode container = container(service);
        int httpPort = httpPort(service, ConfigSource.of(environment(container)));
        List<String> paths = new ArrayList<>();

        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(httpPort);
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertThat(get.path("port").asInt()).as(service + " " + probe + " port").isEqualTo(httpPort);
            paths.add(get.path("path").asText());
        }
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");

        try (OpsServer server = OpsServer.start("127.0.0.1", 0, Metrics.prometheus(service, "manifest-test"), app -> { });
                HttpClient http = HttpClient.newHttpClient()) {
            for (String path : paths) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
            }
        }
    }

    @Test
    void workerKillDeadlineExceedsItsShutdownGraceAndAPodDisruptionBudgetKeepsWorkersUp() {
        JsonNode deployment = deployment("worker");
        WorkerConfig config = WorkerConfig.from(ConfigSource.of(environment(container("worker"))));
        long grace = deployment.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong();

        assertThat(grace).as("terminationGracePeriodSeconds")
                .isGreaterThan(config.shutdownGrace().toSeconds())
                .isGreaterThanOrEqualTo(WorkerConfig.DEFAULT_SHUTDOWN_GRACE.toSeconds());
        JsonNode pdb = byKindAndName.get("PodDisruptionBudget/promptq-worker");
        assertThat(pdb).as("PodDisruptionBudget for the workers").isNotNull();
        assertThat(pdb.path("spec").path("selector").path("matchLabels"))
                .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
        assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"producer", "aggregator"})
    void producerAndAggregatorQueryApiHaveAServiceOnTheirPort(String service) {
        JsonNode svc = byKindAndName.get("Service/promptq-" + service);
        assertThat(svc).as("Service for " + service).isNotNull();
        int httpPort = httpPort(service, ConfigSource.of(environment(container(service))));
        JsonNode deployment = deployment(service);

        assertThat(svc.path("spec").path("selector"))
                .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
        JsonNode port = svc.path("spec").path("ports").get(0);
        assertThat(port.path("port").asInt()).isEqualTo(httpPort);
        assertThat(port.path("targetPort").asText()).isEqualTo(container(service).path("ports").get(0).path("name").asText());
    }

    @Test
    void kedaScalesTheWorkersOnTheLagOfTheirGroupOnTheJobsTopicUpToItsPartitionCount() {
        JsonNode scaled = byKindAndName.get("ScaledObject/promptq-worker");
        assertThat(scaled).as("KEDA ScaledObject for the workers").isNotNull();
        Map<String, String> env = environment(container("worker"));
        WorkerConfig worker = WorkerConfig.from(ConfigSource.of(env));
        JsonNode trigger = scaled.path("spec").path("triggers").get(0);
        JsonNode metadata = trigger.path("metadata");

        assertThat(scaled.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo("promptq-worker");
        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        assertThat(metadata.path("consumerGroup").asText()).isEqualTo(worker.groupId())
                .isEqualTo(WorkerConfig.DEFAULT_GROUP_ID);
        assertThat(metadata.path("topic").asText()).isEqualTo(worker.topics().jobs());
        assertThat(metadata.path("bootstrapServers").asText()).isEqualTo(env.get(KafkaSettings.BOOTSTRAP_SERVERS.name()));
        assertThat(metadata.path("lagThreshold").asInt()).isPositive();
        int max = scaled.path("spec").path("maxReplicaCount").asInt();
        assertThat(max).as("maxReplicaCount: a worker beyond the partition count gets no partition")
                .isBetween(1, worker.topicPartitions());
        assertThat(scaled.path("spec").path("minReplicaCount").asInt()).isBetween(1, max);
    }

    @Test
    void kustomizationListsEveryManifestButTheKedaOne() throws IOException {
        JsonNode kustomization = new ObjectMapper(new YAMLFactory()).readTree(DIR.resolve("kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asText()));
        List<String> files = fileOf.values().stream().distinct()
                .filter(f -> !f.equals("kustomization.yaml") && !f.equals("keda-scaledobject.yaml")).toList();

        assertThat(resources).containsExactlyInAnyOrderElementsOf(files);
    }

    private static int httpPort(String service, ConfigSource config) {
        Function<ConfigSource, Integer> port = switch (service) {
            case "producer" -> c -> ProducerServiceConfig.from(c).httpPort();
            case "worker" -> c -> WorkerConfig.from(c).httpPort();
            default -> c -> AggregatorConfig.from(c).httpPort();
        };
        return port.apply(config);
    }

    private static JsonNode deployment(String service) {
        JsonNode deployment = byKindAndName.get("Deployment/promptq-" + service);
        assertThat(deployment).as("Deployment promptq-" + service).isNotNull();
        assertThat(deployment.path("spec").path("template").path("metadata").path("labels").path("app.kubernetes.io/name")
                .asText()).isEqualTo("promptq-" + service);
        return deployment;
    }

    private static JsonNode container(String service) {
        JsonNode containers = deployment(service).path("spec").path("template").path("spec").path("containers");
        assertThat(containers).as("containers of " + service).hasSize(1);
        return containers.get(0);
    }

    /** The container's environment: its ConfigMaps' data in order, then its own {@code env} entries. */
    private static Map<String, String> environment(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String name = from.path("configMapRef").path("name").asText();
            JsonNode map = byKindAndName.get("ConfigMap/" + name);
            assertThat(map).as("ConfigMap " + name).isNotNull();
            map.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        for (JsonNode var : container.path("env")) {
            env.put(var.path("name").asText(), var.has("value") ? var.path("value").asText() : FIELD_REF_VALUE);
        }
        return env;
    }

    private static String composeImage(String image) throws IOException {
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile())
                .get("services");
        String service = image.substring(image.indexOf('/') + 1);
        return services.path(service).path("image").asText();
    }
}
