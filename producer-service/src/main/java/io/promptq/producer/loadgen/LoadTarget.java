package io.promptq.producer.loadgen;

import io.promptq.client.ClientConfig;
import io.promptq.client.PromptqClient;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** Where a {@link LoadGenerator} publishes: a producer service over HTTP, or Kafka directly. */
public sealed interface LoadTarget {

    /** Default timeout of one HTTP request. */
    Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A producer service at {@code baseUrl} (e.g. {@code http://127.0.0.1:8080}), without authentication. */
    static LoadTarget http(URI baseUrl) {
        return new Http(baseUrl, Optional.empty(), DEFAULT_REQUEST_TIMEOUT);
    }

    /** Kafka directly, through a {@link PromptqClient} the generator creates and closes. */
    static LoadTarget kafka(ClientConfig config) {
        return new Kafka(config);
    }

    /** Kafka directly, through an existing client, which the generator does not close. */
    static LoadTarget client(PromptqClient client) {
        return new Client(client);
    }

    /**
     * A producer service over HTTP.
     *
     * @param baseUrl scheme, host and port, e.g. {@code http://127.0.0.1:8080}
     * @param bearerToken sent as {@code Authorization: Bearer} when present
     * @param requestTimeout timeout of one request
     */
    record Http(URI baseUrl, Optional<String> bearerToken, Duration requestTimeout) implements LoadTarget {
        public Http {
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(bearerToken, "bearerToken");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
        }

        public Http withBearerToken(String token) {
            return new Http(baseUrl, Optional.ofNullable(token), requestTimeout);
        }

        public Http withRequestTimeout(Duration timeout) {
            return new Http(baseUrl, bearerToken, timeout);
        }

        @Override
        public String toString() {
            return "Http[" + baseUrl + (bearerToken.isPresent() ? ", token=[hidden]" : "") + "]";
        }
    }

    /** Kafka through a client created from {@code config}. */
    record Kafka(ClientConfig config) implements LoadTarget {
        public Kafka {
            Objects.requireNonNull(config, "config");
        }
    }

    /** Kafka through an existing client (not closed by the generator). */
    record Client(PromptqClient client) implements LoadTarget {
        public Client {
            Objects.requireNonNull(client, "client");
        }
    }
}
