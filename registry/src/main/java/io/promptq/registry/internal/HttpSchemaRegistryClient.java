package io.promptq.registry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptq.registry.IncompatibleSchemaException;
import io.promptq.registry.InvalidSchemaException;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.RegistryRefusedException;
import io.promptq.registry.RegistryUnreachableException;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.registry.SchemaRegistryException;
import io.promptq.registry.UnknownSchemaException;
import io.promptq.registry.UnknownSchemaIdException;
import io.promptq.retry.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Confluent Schema Registry REST API over the JDK {@link HttpClient}.
 *
 * <p>Answers are cached in both directions (schema to id per subject, id to schema), so once warm
 * the serdes do no I/O. A request that fails transiently (connection error, timeout, HTTP 5xx, 408,
 * 429) is tried on the next URL, and the whole round is retried, {@code maxRetries} times at most, with
 * exponential backoff ({@code retryBackoff} doubling up to {@link RegistryConfig#MAX_RETRY_BACKOFF}) and equal
 * jitter (each wait between half and all of its ceiling); then a {@link RegistryUnreachableException} names the
 * URLs and the last failure. Any other answer is final. Concurrent misses of the same key share one request (see
 * {@link SingleFlight}), so a cold start under load does not stampede the registry.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final String ACCEPT = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; q=0.9, "
            + "application/json; q=0.5";

    /** Confluent error codes (body field {@code error_code}). */
    static final int SUBJECT_NOT_FOUND = 40401;
    static final int VERSION_NOT_FOUND = 40402;

    private static final Set<String> COMPATIBILITY_LEVELS = Set.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE",
            "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");
    private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryConfig config;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final BoundedCache<SubjectSchema, Integer> idsBySubjectSchema;
    private final BoundedCache<Integer, Schema> schemasById;
    /** Separate from idLookups: a registration answered 409 looks the id up while in flight. */
    private final SingleFlight<SubjectSchema, Integer> registrations;
    private final SingleFlight<SubjectSchema, Integer> idLookups;
    private final SingleFlight<Integer, Schema> schemaLookups;
    private final AtomicInteger preferredUrl = new AtomicInteger();
    private final Backoff backoff;

    public HttpSchemaRegistryClient(RegistryConfig config) {
        this(config, Backoff.Sleeper.THREAD);
    }

    /** A client that waits between retry rounds with {@code sleeper} (tests record the waits instead). */
    HttpSchemaRegistryClient(RegistryConfig config, Backoff.Sleeper sleeper) {
        this.config = config;
        this.backoff = retryBackoff(config).sleeper(sleeper).build();
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout());
        config.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
        this.authorization = config.basicAuth().map(c -> "Basic " + Base64.getEncoder()
                .encodeToString((c.user() + ":" + c.password()).getBytes(StandardCharsets.UTF_8)));
        this.idsBySubjectSchema = new BoundedCache<>(config.cacheCapacity());
        this.schemasById = new BoundedCache<>(config.cacheCapacity());
        this.registrations = new SingleFlight<>(idsBySubjectSchema::get, this::registerNow);
        this.idLookups = new SingleFlight<>(idsBySubjectSchema::get, this::lookUpId);
        this.schemaLookups = new SingleFlight<>(schemasById::get, this::fetchSchema);
    }

    @Override
    public int register(String subject, Schema schema) {
        return registrations.get(new SubjectSchema(subject, schema));
    }

    private int registerNow(SubjectSchema key) {
        String subject = key.subject();
        Schema schema = key.schema();
        Response response = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = switch (response.status()) {
            case 200 -> response.intField("id");
            case 409 -> registeredConcurrently(subject, schema)
                    .orElseThrow(() -> new IncompatibleSchemaException(subject, response.message()));
            case 422 -> throw new InvalidSchemaException(subject, response.message());
            default -> throw response.unexpected();
        };
        idsBySubjectSchema.put(key, id);
        schemasById.put(id, schema);
        return id;
    }

    /**
     * A 409 can also mean that another client registered the same subject at the same moment (Apicurio
     * answers "artifact already exists" then). If the subject now holds exactly this schema, that is a
     * success; otherwise the 409 stands as incompatibility.
     */
    private Optional<Integer> registeredConcurrently(String subject, Schema schema) {
        try {
            return Optional.of(idOf(subject, schema));
        } catch (UnknownSchemaException notThere) {
            return Optional.empty();
        }
    }

    @Override
    public int idOf(String subject, Schema schema) {
        return idLookups.get(new SubjectSchema(subject, schema));
    }

    private int lookUpId(SubjectSchema key) {
        String subject = key.subject();
        Schema schema = key.schema();
        Response response = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        int id = switch (response.status()) {
            case 200 -> response.intField("id");
            case 404 -> throw new UnknownSchemaException(subject, response.message());
            case 422 -> throw new InvalidSchemaException(subject, response.message());
            default -> throw response.unexpected();
        };
        idsBySubjectSchema.put(key, id);
        schemasById.put(id, schema);
        return id;
    }

    @Override
    public Schema schemaById(int id) {
        return schemaLookups.get(id);
    }

    private Schema fetchSchema(int id) {
        Response response = send("GET", "/schemas/ids/" + id, null);
        if (response.status() == 404) {
            throw new UnknownSchemaIdException(id, response.url().toString());
        }
        if (response.status() != 200) {
            throw response.unexpected();
        }
        String type = response.json().path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new SchemaRegistryException("Schema id " + id + " at " + response.url() + " is a " + type
                    + " schema, not an Avro schema");
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(response.textField("schema"));
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("Schema id " + id + " at " + response.url()
                    + " is not a valid Avro schema: " + e.getMessage(), e);
        }
        schemasById.put(id, schema);
        return schema;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        Response response = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                schemaBody(schema));
        return switch (response.status()) {
            case 200 -> response.json().path("is_compatible").asBoolean(false);
            case 404 -> {
                int code = response.errorCode();
                if (code == SUBJECT_NOT_FOUND || code == VERSION_NOT_FOUND || code < 0) {
                    yield true; // nothing registered yet: any schema may become the first version
                }
                throw response.unexpected();
            }
            case 422 -> throw new InvalidSchemaException(subject, response.message());
            default -> throw response.unexpected();
        };
    }

    @Override
    public void setCompatibility(String subject, String level) {
        String normalized = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
        if (!COMPATIBILITY_LEVELS.contains(normalized)) {
            throw new IllegalArgumentException("level must be one of " + COMPATIBILITY_LEVELS + ", but was " + level);
        }
        ObjectNode body = JSON.createObjectNode().put("compatibility", normalized);
        Response response = send("PUT", "/config/" + encode(subject), body.toString());
        switch (response.status()) {
            case 200, 204 -> { }
            case 422 -> throw new InvalidSchemaException(subject, response.message());
            default -> throw response.unexpected();
        }
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "HttpSchemaRegistryClient" + config.urls();
    }

    private Response send(String method, String path, String body) {
        List<URI> urls = config.urls();
        int first = preferredUrl.get();
        int attempts = 0;
        String lastFailure = "no attempt";
        Throwable lastCause = null;
        Backoff.Attempts rounds = backoff.start();
        do {
            for (int i = 0; i < urls.size(); i++) {
                int index = (first + i) % urls.size();
                URI base = urls.get(index);
                attempts++;
                try {
                    HttpResponse<String> response = http.send(request(base, method, path, body),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    if (isTransient(response.statusCode())) {
                        lastFailure = "HTTP " + response.statusCode() + " from " + base + ": " + response.body();
                        lastCause = null;
                        log.debug("{} {} failed transiently (attempt {}): {}", method, path, attempts, lastFailure);
                        continue;
                    }
                    preferredUrl.set(index);
                    return new Response(base, method, path, response.statusCode(), response.body());
                } catch (IOException e) {
                    lastFailure = describe(e) + " (" + base + ")";
                    lastCause = e;
                    log.debug("{} {} failed (attempt {}): {}", method, path, attempts, lastFailure);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SchemaRegistryException("Interrupted while calling the schema registry at " + base, e);
                }
            }
        } while (backOff(rounds, method, path));
        throw new RegistryUnreachableException(urls, attempts, lastFailure, lastCause);
    }

    private HttpRequest request(URI base, String method, String path, String body) {
        String root = base.toString();
        if (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(root + path))
                .timeout(config.requestTimeout())
                .header("Accept", ACCEPT)
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            builder.header("Content-Type", CONTENT_TYPE);
        }
        authorization.ifPresent(value -> builder.header("Authorization", value));
        return builder.build();
    }

    /**
     * The retry rounds of one request: {@code maxRetries + 1} rounds, waiting {@code retryBackoff} doubling up to
     * {@link RegistryConfig#MAX_RETRY_BACKOFF} (or {@code retryBackoff}, if larger), half of each wait random.
     */
    static Backoff.Builder retryBackoff(RegistryConfig config) {
        Duration initial = config.retryBackoff();
        Duration max = initial.compareTo(RegistryConfig.MAX_RETRY_BACKOFF) > 0 ? initial : RegistryConfig.MAX_RETRY_BACKOFF;
        return Backoff.exponential(initial, max).jitter(0.5)
                .maxAttempts((int) Math.min(Integer.MAX_VALUE, config.maxRetries() + 1L));
    }

    /** Waits before the next round; false once the rounds are spent. */
    private static boolean backOff(Backoff.Attempts rounds, String method, String path) {
        try {
            return rounds.backOff();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted while retrying " + method + " " + path, e);
        }
    }

    private static boolean isTransient(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The exception and its causes, e.g. {@code ConnectException: Connection refused}. */
    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (!text.isEmpty()) {
                text.append(" <- ");
            }
            text.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                text.append(": ").append(t.getMessage());
            }
        }
        return text.toString();
    }

    private record SubjectSchema(String subject, Schema schema) {}

    /** One final answer of the registry. */
    private record Response(URI url, String method, String path, int status, String body) {

        JsonNode json() {
            try {
                return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new SchemaRegistryException("Schema registry at " + url + " answered " + method + " " + path
                        + " with HTTP " + status + " and a body that is not JSON: " + body, e);
            }
        }

        int errorCode() {
            return json().path("error_code").asInt(-1);
        }

        /** The registry's {@code message}, or the raw body if it has none. */
        String message() {
            JsonNode message = json().path("message");
            String text = message.isTextual() ? message.asText() : body;
            int code = errorCode();
            return code < 0 ? text : text + " (error code " + code + ")";
        }

        int intField(String name) {
            JsonNode value = json().path(name);
            if (!value.canConvertToInt()) {
                throw new SchemaRegistryException("Schema registry at " + url + " answered " + method + " " + path
                        + " without a numeric '" + name + "': " + body);
            }
            return value.intValue();
        }

        String textField(String name) {
            JsonNode value = json().path(name);
            if (!value.isTextual()) {
                throw new SchemaRegistryException("Schema registry at " + url + " answered " + method + " " + path
                        + " without a '" + name + "' string: " + body);
            }
            return value.asText();
        }

        SchemaRegistryException unexpected() {
            return new RegistryRefusedException("Schema registry at " + url + " answered " + method + " " + path
                    + " with HTTP " + status + ": " + message(), status);
        }
    }
}
