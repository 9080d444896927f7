package io.promptq.producer.internal;

import io.promptq.http.HealthCheck;
import io.promptq.registry.RegistryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Ready when one of the registry's URLs answers {@code GET /config} with a status below 500 (an
 * authentication error still proves it is reachable).
 */
public final class RegistryHealthCheck implements HealthCheck {

    private final RegistryConfig config;
    private final Duration timeout;
    private final HttpClient http;

    public RegistryHealthCheck(RegistryConfig config, Duration timeout) {
        this.config = config;
        this.timeout = timeout;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1);
        config.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    @Override
    public Result check() {
        String last = "no URL configured";
        for (URI url : config.urls()) {
            String base = url.toString().endsWith("/") ? url.toString() : url + "/";
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "config")).timeout(timeout).GET();
            config.basicAuth().ifPresent(c -> request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((c.user() + ":" + c.password()).getBytes(StandardCharsets.UTF_8))));
            try {
                int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status < 500) {
                    return Result.up(url.getHost() + ":" + url.getPort() + " answered " + status);
                }
                last = url.getHost() + ":" + url.getPort() + " answered " + status;
            } catch (IOException e) {
                last = url.getHost() + ":" + url.getPort() + " unreachable: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Result.down("interrupted");
            }
        }
        return Result.down(last);
    }
}
