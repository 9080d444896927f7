package io.promptq.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Connection-level limits of an HTTP server that faces untrusted clients: how slow a client may be and how many
 * may be connected at once, so slow or numerous clients cannot hold the server's connections.
 *
 * @param maxConnections most open connections; beyond it Jetty stops accepting (new clients wait in the backlog)
 * @param acceptQueueSize TCP listen backlog, sized for bursts of new connections (the JDK default is 50)
 * @param minRequestDataRate least bytes per second a request body must arrive at once it started; a slower body is
 *     refused with 408 (Jetty's {@code HttpConfiguration.minRequestDataRate})
 * @param headerTimeout longest a request's line and headers may take to arrive; a connection still reading them
 *     afterwards is closed
 */
public record HttpLimits(int maxConnections, int acceptQueueSize, long minRequestDataRate, Duration headerTimeout) {

    public HttpLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, but was " + maxConnections);
        }
        if (acceptQueueSize < 1) {
            throw new IllegalArgumentException("acceptQueueSize must be at least 1, but was " + acceptQueueSize);
        }
        if (minRequestDataRate < 0) {
            throw new IllegalArgumentException("minRequestDataRate must be at least 0, but was " + minRequestDataRate);
        }
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("headerTimeout must be positive, but was " + headerTimeout);
        }
    }
}
