package io.promptq.aggregator.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.http.OpsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's files over a real HTTP server: content types, security and caching headers, nothing else served. */
class ConsolePagesTest {

    private static OpsServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() {
        ConsolePages pages = ConsolePages.load();
        server = OpsServer.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), pages::register);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theIndexIsServedAsHtmlWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = get("/console/", null);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(ConsolePages.CONTENT_SECURITY_POLICY);
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.body()).contains("<script src=\"console.js\"", "Dead letters").doesNotContain("http://", "https://");
    }

    @Test
    void scriptsAndStylesHaveTheirOwnContentTypes() throws Exception {
        assertThat(get("/console/console.js", null).headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
        assertThat(get("/console/console.css", null).headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
    }

    @Test
    void aBrowserRevalidatesWithTheEtagAndGetsNotModified() throws Exception {
        HttpResponse<String> first = get("/console/console.js", null);
        String etag = first.headers().firstValue("ETag").orElseThrow();

        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(get("/console/console.js", etag).statusCode()).isEqualTo(304);
        assertThat(get("/console/console.css", etag).statusCode()).as("another file's tag").isEqualTo(200);
    }

    @Test
    void onlyTheConsolesOwnFilesAreServed() throws Exception {
        assertThat(get("/console/logback.xml", null).statusCode()).isEqualTo(404);
        assertThat(get("/console/..%2Flogback.xml", null).statusCode()).isEqualTo(404);
        assertThat(get("/console", null).headers().firstValue("Location")).hasValue("/console/");
    }

    private static HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
