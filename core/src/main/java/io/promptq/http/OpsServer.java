package io.promptq.http;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.config.ConfigKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Javalin server (handlers on virtual threads) with the endpoints every promptq service exposes:
 * {@code GET /health/live}, {@code GET /health/ready} and {@code GET /metrics}; services add their own
 * routes through {@code routes}. The first three can have a port of their own ({@link #MANAGEMENT_PORT}). Uncaught {@link ProblemException}s become problem+json answers and any
 * other exception a 500 problem, logged once here. A path no route serves answers a 404 problem, and a path
 * served only for other methods a 405 problem with {@code Allow} listing them. Errors Jetty raises before a request
 * reaches Javalin (bad framing, 414, 431) are problems too ({@link ProblemErrorHandler}).
 */
public final class OpsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);

    private final Javalin app;
    private final @Nullable Javalin management;
    private final Map<String, HealthCheck> checks;

    private OpsServer(Javalin app, @Nullable Javalin management, Map<String, HealthCheck> checks) {
        this.app = app;
        this.management = management;
        this.checks = checks;
    }

    /** A registered route: its method and path pattern ({@code {p}} one segment; {@code <p>}, {@code *} any). */
    private record Route(HandlerType method, Pattern path) {
        static Route of(HandlerType method, String path) {
            String regex = Arrays.stream(path.split("(?=[{<*])|(?<=[}>*])"))
                    .map(part -> part.startsWith("{") ? "[^/]+" : part.startsWith("<") || part.equals("*") ? ".*"
                            : Pattern.quote(part))
                    .collect(Collectors.joining());
            return new Route(method, Pattern.compile(regex + "/?"));
        }
    }

    /**
     * Env key: the port of the management endpoints ({@code /health/*}, {@code /metrics}), for probes and scrapers
     * apart from the API (Kubernetes-style); unset serves them on the HTTP port, as before. 0 picks a free port.
     */
    public static final ConfigKey<Integer> MANAGEMENT_PORT = ConfigKey.of("PROMPTQ_MANAGEMENT_PORT", Integer::parseInt,
            String::valueOf).and(port -> port >= 0 && port <= 65_535, "must be a port number in [0, 65535]");

    /**
     * Starts a server on {@code host:port} (port 0 picks a free one).
     *
     * @param routes adds the service's own routes
     */
    public static OpsServer start(String host, int port, PrometheusMeterRegistry metrics, Consumer<Javalin> routes) {
        return start(host, port, metrics, null, routes);
    }

    /**
     * Starts a server on {@code host:port} (port 0 picks a free one) whose connections obey {@code limits} (none:
     * Jetty's defaults).
     *
     * @param routes adds the service's own routes
     */
    public static OpsServer start(String host, int port, PrometheusMeterRegistry metrics, @Nullable HttpLimits limits,
            Consumer<Javalin> routes) {
        return start(host, port, null, metrics, limits, routes);
    }

    /**
     * Starts a server on {@code host:port} whose connections obey {@code limits} (none: Jetty's defaults), with the
     * management endpoints ({@code /health/live}, {@code /health/ready}, {@code /metrics}) on {@code host:managementPort}
     * instead when that is set ({@link #MANAGEMENT_PORT}; 0 picks a free one): the API port then does not serve them.
     *
     * @param managementPort the management endpoints' own port; null: on the API port
     * @param routes adds the service's own routes
     */
    public static OpsServer start(String host, int port, @Nullable Integer managementPort, PrometheusMeterRegistry metrics,
            @Nullable HttpLimits limits, Consumer<Javalin> routes) {
        Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
        Javalin app = create(host, port, limits, routes, managementPort == null ? metrics : null, checks);
        Javalin management = null;
        if (managementPort != null) {
            try {
                management = create(host, managementPort, null, ignored -> {}, metrics, checks);
            } catch (RuntimeException e) {
                app.stop();
                throw e;
            }
        }
        return new OpsServer(app, management, checks);
    }

    /** A started Javalin with {@code routes}, the error mapping and, given {@code metrics}, the management endpoints. */
    private static Javalin create(String host, int port, @Nullable HttpLimits limits, Consumer<Javalin> routes,
            @Nullable PrometheusMeterRegistry metrics, Map<String, HealthCheck> checks) {
        List<Route> routesAdded = new CopyOnWriteArrayList<>();
        Javalin app = Javalin.create(config -> {
            config.useVirtualThreads = true;
            config.showJavalinBanner = false;
            ProblemErrorHandler errors = new ProblemErrorHandler();
            config.jetty.modifyServer(server -> server.setErrorHandler(errors));
            config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(errors));
            if (limits != null) {
                config.jetty.modifyHttpConfiguration(http -> http.setMinRequestDataRate(limits.minRequestDataRate()));
                config.jetty.addConnector((server, http) -> connector(server, http, host, port, limits));
            }
            config.events(events -> events.handlerAdded(handler -> {
                if (handler.getHttpMethod().isHttpMethod()) {
                    routesAdded.add(Route.of(handler.getHttpMethod(), handler.getPath()));
                }
            }));
        });
        if (metrics != null) {
            app.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
            app.get("/health/ready", ctx -> ready(ctx, checks));
            app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        }
        app.exception(ProblemException.class, (e, ctx) -> respond(ctx, e.problem()));
        app.exception(Exception.class, (e, ctx) -> {
            log.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, Problem.of(500, "Internal Server Error", "unexpected error; see the service log"));
        });
        app.error(HttpStatus.NOT_FOUND, ctx -> notFound(ctx, routesAdded));
        routes.accept(app);
        if (limits != null) {
            app.start();
        } else {
            app.start(host, port);
        }
        return app;
    }

    /** {@code GET /health/ready}: UP with 200 while every readiness check is up, else DOWN with 503. */
    private static void ready(io.javalin.http.Context ctx, Map<String, HealthCheck> checks) {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean up = true;
        for (Map.Entry<String, HealthCheck> entry : checks.entrySet()) {
            HealthCheck.Result result = entry.getValue().check();
            up &= result.up();
            details.put(entry.getKey(), Map.of("status", result.up() ? "UP" : "DOWN", "detail", result.detail()));
        }
        ctx.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .json(Map.of("status", up ? "UP" : "DOWN", "checks", details));
    }

    /** The listening connector under {@code limits}: its backlog, connection cap and header timeout. */
    private static ServerConnector connector(Server server, HttpConfiguration http, String host, int port,
            HttpLimits limits) {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(limits.acceptQueueSize());
        server.addBean(new ConnectionLimit(limits.maxConnections(), connector));
        connector.addBean(new HeaderTimeout(connector.getScheduler(), limits.headerTimeout().toMillis()));
        return connector;
    }

    /**
     * 405 with {@code Allow} when only other methods serve the path, else 404; both as problems. A 404 a route
     * answered itself (an unknown job, say) is left as it is.
     */
    private static void notFound(io.javalin.http.Context ctx, List<Route> routes) {
        String path = ctx.path();
        List<HandlerType> methods = routes.stream().filter(route -> route.path().matcher(path).matches())
                .map(Route::method).distinct().toList();
        if (methods.contains(ctx.method())) {
            return;
        }
        String allow = methods.stream().map(HandlerType::name).sorted().collect(Collectors.joining(", "));
        if (allow.isEmpty()) {
            respond(ctx, Problem.of(404, "Not Found", "no resource at " + path));
        } else {
            ctx.header("Allow", allow);
            respond(ctx, Problem.of(405, "Method Not Allowed", ctx.method().name() + " is not allowed on " + path
                    + "; allowed: " + allow));
        }
    }

    /** Writes {@code problem} as the answer of {@code ctx}. */
    public static void respond(io.javalin.http.Context ctx, Problem problem) {
        ctx.status(problem.status()).json(problem).contentType(Problem.CONTENT_TYPE);
    }

    /** Adds a readiness check under {@code name}. */
    public OpsServer readiness(String name, HealthCheck check) {
        checks.put(name, check);
        return this;
    }

    public int port() {
        return app.port();
    }

    /** The port of the management endpoints: {@link #port()} unless they have their own. */
    public int managementPort() {
        return management == null ? app.port() : management.port();
    }

    public Javalin javalin() {
        return app;
    }

    @Override
    public void close() {
        app.stop();
        if (management != null) {
            management.stop();
        }
    }
}
