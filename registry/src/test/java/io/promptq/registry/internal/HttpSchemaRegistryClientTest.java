package io.promptq.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.registry.IncompatibleSchemaException;
import io.promptq.registry.InvalidSchemaException;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.RegistryUnreachableException;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.registry.UnknownSchemaException;
import io.promptq.registry.UnknownSchemaIdException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP client against a scripted server on 127.0.0.1. */
class HttpSchemaRegistryClientTest {

    private static final Schema SCHEMA = SchemaBuilder.record("Ping").namespace("io.promptq.test")
            .fields().requiredString("id").endRecord();
    private static final int CALLERS = 200;

    private final StubRegistry stub = new StubRegistry();

    HttpSchemaRegistryClientTest() throws IOException {}

    @AfterEach
    void stopStub() {
        stub.close();
    }

    private SchemaRegistryClient client(String urls) {
        return SchemaRegistryClient.create(RegistryConfig.of(urls).toBuilder().maxRetries(2).retryBackoff(Duration.ofMillis(1)).build());
    }

    @Test
    void registerPostsTheSchemaToTheEncodedSubjectAndCachesTheId() throws Exception {
        stub.answer(200, "{\"id\":7}");
        try (SchemaRegistryClient client = client(stub.url() + "/apis/ccompat/v7/")) {
            assertThat(client.register("jobs value/v1", SCHEMA)).isEqualTo(7);
            assertThat(client.register("jobs value/v1", SCHEMA)).isEqualTo(7);
            assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
        }

        assertThat(stub.received).hasSize(1);
        StubRegistry.Received request = stub.received.getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.rawPath()).isEqualTo("/apis/ccompat/v7/subjects/jobs%20value%2Fv1/versions");
        assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        String sentSchema = new ObjectMapper().readTree(request.body()).get("schema").asText();
        assertThat(new Schema.Parser().parse(sentSchema)).isEqualTo(SCHEMA);
    }

    @Test
    void basicAuthCredentialsAreSentAsAuthorizationHeader() {
        stub.answer(200, "{\"id\":1}");
        try (SchemaRegistryClient client = SchemaRegistryClient.create(
                RegistryConfig.of(stub.url()).toBuilder().basicAuth("alice", "s3cret").build())) {
            client.register("s", SCHEMA);
        }

        assertThat(stub.received.getFirst().authorization())
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes()));
    }

    @Test
    void transientServerErrorsAreRetried() {
        stub.answer(503, "{\"error_code\":50003,\"message\":\"leader unavailable\"}")
                .answer(429, "")
                .answer(200, "{\"id\":3}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThat(client.register("s", SCHEMA)).isEqualTo(3);
        }

        assertThat(stub.received).hasSize(3);
    }

    @Test
    void conflictIsNotRetriedAndRaisesIncompatibleSchemaExceptionWithTheRegistryMessage() {
        stub.answer(409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}")
                .answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThatThrownBy(() -> client.register("jobs-value", SCHEMA))
                    .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                        assertThat(e.subject()).isEqualTo("jobs-value");
                        assertThat(e.registryMessage()).contains("Schema being registered is incompatible");
                    })
                    .hasMessageContaining("jobs-value");
        }

        assertThat(stub.received).extracting(StubRegistry.Received::rawPath)
                .containsExactly("/subjects/jobs-value/versions", "/subjects/jobs-value");
    }

    @Test
    void conflictFromAConcurrentRegistrationOfTheSameSchemaResolvesToItsId() {
        stub.answer(409, "{\"error_code\":409,\"message\":\"Artifact with ID 'jobs-value' already exists.\"}")
                .answer(200, "{\"subject\":\"jobs-value\",\"version\":1,\"id\":7,\"schema\":\"\\\"string\\\"\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThat(client.register("jobs-value", SCHEMA)).isEqualTo(7);
        }
    }

    @Test
    void unauthorizedIsARegistryRefusalNotARecordProblem() {
        stub.answer(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThatThrownBy(() -> client.schemaById(3))
                    .isInstanceOfSatisfying(io.promptq.registry.RegistryRefusedException.class,
                            e -> assertThat(e.status()).isEqualTo(401))
                    .hasMessageContaining("HTTP 401");
        }
    }

    @Test
    void unprocessableEntityRaisesInvalidSchemaException() {
        stub.answer(422, "{\"error_code\":42201,\"message\":\"Invalid schema\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThatThrownBy(() -> client.register("jobs-value", SCHEMA))
                    .isInstanceOf(InvalidSchemaException.class)
                    .hasMessageContaining("Invalid schema");
        }
        assertThat(stub.received).hasSize(1);
    }

    @Test
    void unknownSchemaIdRaisesUnknownSchemaIdException() {
        stub.answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThatThrownBy(() -> client.schemaById(42))
                    .isInstanceOfSatisfying(UnknownSchemaIdException.class, e -> assertThat(e.schemaId()).isEqualTo(42))
                    .hasMessageContaining(stub.url());
        }
    }

    @Test
    void schemaByIdParsesAndCachesTheSchema() {
        stub.answer(200, new ObjectMapper().createObjectNode().put("schema", SCHEMA.toString()).toString());
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThat(client.schemaById(5)).isEqualTo(SCHEMA);
            assertThat(client.schemaById(5)).isEqualTo(SCHEMA);
        }
        assertThat(stub.received).singleElement()
                .satisfies(r -> assertThat(r.rawPath()).isEqualTo("/schemas/ids/5"));
    }

    @Test
    void idOfAnUnregisteredSchemaRaisesUnknownSchemaException() {
        stub.answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThatThrownBy(() -> client.idOf("jobs-value", SCHEMA))
                    .isInstanceOf(UnknownSchemaException.class)
                    .hasMessageContaining("jobs-value");
        }
        assertThat(stub.received.getFirst().rawPath()).isEqualTo("/subjects/jobs-value");
    }

    @Test
    void aSchemaIsCompatibleWithASubjectThatDoesNotExistYet() {
        stub.answer(404, "{\"error_code\":40401,\"message\":\"Subject not found\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThat(client.isCompatible("new-value", SCHEMA)).isTrue();
        }
        assertThat(stub.received.getFirst().rawPath()).isEqualTo("/compatibility/subjects/new-value/versions/latest");
    }

    @Test
    void isCompatibleReturnsTheRegistryVerdict() {
        stub.answer(200, "{\"is_compatible\":false}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThat(client.isCompatible("jobs-value", SCHEMA)).isFalse();
        }
    }

    @Test
    void setCompatibilityPutsTheLevelToTheSubjectConfig() {
        stub.answer(200, "{\"compatibility\":\"BACKWARD\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            client.setCompatibility("jobs-value", "backward");
            assertThatThrownBy(() -> client.setCompatibility("jobs-value", "SIDEWAYS"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("SIDEWAYS");
        }
        StubRegistry.Received request = stub.received.getFirst();
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(request.rawPath()).isEqualTo("/config/jobs-value");
        assertThat(request.body()).isEqualTo("{\"compatibility\":\"BACKWARD\"}");
    }

    @Test
    void requestsFailOverToTheNextUrlWhenOneIsUnreachable() throws IOException {
        stub.answer(200, "{\"id\":9}");
        try (SchemaRegistryClient client = client(StubRegistry.closedPortUrl() + "," + stub.url())) {
            assertThat(client.register("s", SCHEMA)).isEqualTo(9);
        }
    }

    @Test
    void unreachableRegistryRaisesRegistryUnreachableExceptionNamingUrlAndCause() throws IOException {
        String closed = StubRegistry.closedPortUrl();
        long start = System.nanoTime();
        try (SchemaRegistryClient client = client(closed)) {
            assertThatThrownBy(() -> client.schemaById(1))
                    .isInstanceOf(RegistryUnreachableException.class)
                    .hasMessageContaining(closed)
                    .hasMessageContaining("3 attempt(s)")
                    .hasMessageContaining("ConnectException");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void persistentServerErrorsRaiseRegistryUnreachableExceptionWithTheLastAnswer() {
        stub.answer(500, "{\"error_code\":50001,\"message\":\"store broken\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            assertThatThrownBy(() -> client.register("s", SCHEMA))
                    .isInstanceOf(RegistryUnreachableException.class)
                    .hasMessageContaining("HTTP 500")
                    .hasMessageContaining("store broken");
        }
        assertThat(stub.received).hasSize(3);
    }

    @Test
    void retryRoundsWaitADoublingJitteredBackoffAndStopAfterMaxRetries() {
        stub.answer(503, "{\"message\":\"starting\"}");
        List<Duration> waits = new ArrayList<>();
        RegistryConfig config = RegistryConfig.of(stub.url()).toBuilder().maxRetries(3).retryBackoff(Duration.ofSeconds(1)).build();
        try (SchemaRegistryClient client = new HttpSchemaRegistryClient(config, waits::add)) {
            assertThatThrownBy(() -> client.register("s", SCHEMA)).isInstanceOf(RegistryUnreachableException.class);
        }
        assertThat(stub.received).hasSize(4);
        assertThat(waits).hasSize(3);
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(waits.get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(waits.get(2)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void retryBackoffIsCappedAtMaxRetryBackoffUnlessTheFirstWaitIsLonger() {
        RegistryConfig shortFirst = RegistryConfig.of("http://localhost:1").toBuilder().maxRetries(30).retryBackoff(Duration.ofMillis(200)).build();
        RegistryConfig longFirst = RegistryConfig.of("http://localhost:1").toBuilder().maxRetries(30).retryBackoff(Duration.ofSeconds(9)).build();

        assertThat(HttpSchemaRegistryClient.retryBackoff(shortFirst).build().ceiling(20))
                .isEqualTo(RegistryConfig.MAX_RETRY_BACKOFF);
        assertThat(HttpSchemaRegistryClient.retryBackoff(longFirst).build().ceiling(20)).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void concurrentLookupsOfAnUncachedSchemaIdShareOneRequest() throws Exception {
        stub.answer(200, new ObjectMapper().createObjectNode().put("schema", SCHEMA.toString()).toString());
        try (SchemaRegistryClient client = client(stub.url())) {
            List<Object> outcomes = callConcurrently(() -> client.schemaById(7));

            assertThat(outcomes).hasSize(CALLERS).containsOnly(SCHEMA);
        }
        assertThat(stub.received).singleElement()
                .satisfies(r -> assertThat(r.rawPath()).isEqualTo("/schemas/ids/7"));
    }

    @Test
    void aFailedLookupReachesEveryConcurrentCallerAndIsNotCached() throws Exception {
        stub.answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}")
                .answer(200, new ObjectMapper().createObjectNode().put("schema", SCHEMA.toString()).toString());
        try (SchemaRegistryClient client = client(stub.url())) {
            List<Object> outcomes = callConcurrently(() -> client.schemaById(7));

            assertThat(outcomes).hasSize(CALLERS).allSatisfy(outcome -> assertThat(outcome)
                    .isInstanceOfSatisfying(UnknownSchemaIdException.class, e -> assertThat(e.schemaId()).isEqualTo(7)));
            assertThat(stub.received).hasSize(1);

            assertThat(client.schemaById(7)).isEqualTo(SCHEMA);
        }
        assertThat(stub.received).hasSize(2);
    }

    @Test
    void concurrentRegistrationsOfTheSameSchemaShareOneRequest() throws Exception {
        stub.answer(200, "{\"id\":7}");
        try (SchemaRegistryClient client = client(stub.url())) {
            List<Object> outcomes = callConcurrently(() -> client.register("jobs-value", SCHEMA));

            assertThat(outcomes).hasSize(CALLERS).containsOnly(7);
        }
        assertThat(stub.received).hasSize(1);
    }

    @Test
    void concurrentIdLookupsOfTheSameSchemaShareOneRequest() throws Exception {
        stub.answer(200, "{\"subject\":\"jobs-value\",\"version\":1,\"id\":7,\"schema\":\"\\\"string\\\"\"}");
        try (SchemaRegistryClient client = client(stub.url())) {
            List<Object> outcomes = callConcurrently(() -> client.idOf("jobs-value", SCHEMA));

            assertThat(outcomes).hasSize(CALLERS).containsOnly(7);
        }
        assertThat(stub.received).singleElement()
                .satisfies(r -> assertThat(r.rawPath()).isEqualTo("/subjects/jobs-value"));
    }

    /**
     * Runs {@code call} on {@value #CALLERS} virtual threads at once. The stub holds its answers until
     * it has a request and every caller is blocked (waiting for its own request or for another's), so
     * no caller can come late and find the lookup already done; then it answers.
     *
     * @return each caller's result or exception
     */
    private List<Object> callConcurrently(Callable<?> call) throws InterruptedException {
        stub.holdAnswers();
        Object[] outcomes = new Object[CALLERS];
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            int caller = i;
            callers.add(Thread.ofVirtual().start(() -> {
                try {
                    outcomes[caller] = call.call();
                } catch (Exception e) {
                    outcomes[caller] = e;
                }
            }));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stub.received.isEmpty() || !callers.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            assertThat(System.nanoTime()).as("all callers blocked on the registry").isLessThan(deadline);
            Thread.sleep(5);
        }
        stub.releaseAnswers();
        for (Thread t : callers) {
            assertThat(t.join(Duration.ofSeconds(10))).as("caller finished").isTrue();
        }
        return Arrays.asList(outcomes);
    }
}
