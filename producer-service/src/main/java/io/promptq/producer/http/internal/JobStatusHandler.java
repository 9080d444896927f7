package io.promptq.producer.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.promptq.config.Durations;
import io.promptq.http.OpsServer;
import io.promptq.http.Problem;
import io.promptq.http.ViewVersion;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.producer.internal.AggregatorClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/jobs/{jobId}[?wait=<duration>][&after=<version>]}: the job's view from the aggregator (see the
 * README's "Job status"), the wait capped by {@code PROMPTQ_PRODUCER_MAX_WAIT}. With authentication on, the caller's
 * token must belong to the job's tenant: another tenant's job is answered 404 like an unknown one, so that job ids
 * reveal nothing. 503 problem+json with {@code Retry-After} when the aggregator cannot be reached. Also the job's event
 * stream ({@link #events}).
 */
public final class JobStatusHandler {

    private static final Logger log = LoggerFactory.getLogger(JobStatusHandler.class);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FIRST_VIEW_RETRY = Duration.ofMillis(250);
    private static final byte[] HEARTBEAT_COMMENT = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

    private final AggregatorClient aggregator;
    private final Authenticator authenticator;
    private final Duration maxWait;
    private final Duration heartbeat;
    private final JobWatches watches;

    public JobStatusHandler(AggregatorClient aggregator, ProducerServiceConfig config) {
        this.aggregator = aggregator;
        this.heartbeat = config.sseHeartbeat();
        this.watches = new JobWatches(this, heartbeat);
        this.authenticator = new Authenticator(config.authTokens());
        this.maxWait = config.maxWait();
    }

    /** The route's handler. */
    public void status(Context ctx) {
        String jobId = ctx.pathParam("jobId");
        try {
            Optional<String> principal = authenticator.authenticate(ctx.header("Authorization"));
            Duration wait = capped(duration(ctx.queryParam("wait")));
            Long after = version(ctx.queryParam("after"));
            View view = view(jobId, wait, after, principal, ctx.header("Authorization"));
            ctx.contentType("application/json").result(view.body());
        } catch (Rejection rejection) {
            rejection.headers().forEach(ctx::header);
            OpsServer.respond(ctx, rejection.problem());
        } catch (ViewUnavailable e) {
            e.respond(ctx);
        }
    }

    /**
     * {@code GET /v1/jobs/{jobId}/events}: a server-sent event stream of the job's state changes, one
     * {@code event: state} per change with {@code id: <version>} and the change as {@code data}, first the history
     * after {@code Last-Event-ID} (all of it without one), then live changes from the job's one shared watch
     * ({@link JobWatches}: a single long poll of the aggregator at a time however many streams follow the job), a
     * comment line every heartbeat interval, closed after the terminal change. Unknown jobs are 404 before the
     * stream starts.
     */
    public void events(Context ctx) {
        String jobId = ctx.pathParam("jobId");
        String authorization = ctx.header("Authorization");
        Optional<String> principal;
        long lastSent;
        View view;
        try {
            principal = authenticator.authenticate(authorization);
            String lastEventId = ctx.header("Last-Event-ID");
            Long resumeAfter = version(lastEventId == null ? ctx.queryParam("lastEventId") : lastEventId);
            lastSent = resumeAfter == null ? -1 : resumeAfter;
            view = firstView(jobId, principal, authorization);
        } catch (Rejection rejection) {
            rejection.headers().forEach(ctx::header);
            OpsServer.respond(ctx, rejection.problem());
            return;
        } catch (ViewUnavailable e) {
            e.respond(ctx);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        ctx.status(200);
        ctx.header("Content-Type", "text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Accel-Buffering", "no");
        JobWatches.Subscription subscription = watches.subscribe(jobId, authorization, view);
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.write(("retry: " + heartbeat.toMillis() + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                lastSent = send(out, view, lastSent);
                if (view.terminal()) {
                    return;
                }
                View next;
                try {
                    next = subscription.next(lastSent, heartbeat);
                } catch (ViewUnavailable e) {
                    if (e.status() == 404) {
                        return; // the job's view expired while followed
                    }
                    out.write((": " + e.getMessage().replace('\n', ' ') + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(1_000);
                    subscription.close();
                    subscription = watches.subscribe(jobId, authorization, view);
                    continue;
                }
                if (next == null) {
                    out.write(HEARTBEAT_COMMENT);
                    out.flush();
                } else {
                    view = next;
                }
            }
        } catch (IOException e) {
            log.debug("Event stream of job {} closed by the client: {}", jobId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            subscription.close();
        }
    }

    /**
     * The view a new event stream starts from: the job's watch's latest when one runs for the same caller, else
     * asked of the aggregator, retrying a transient 503 (the aggregator restoring or rebalancing, a queue for a
     * request slot) for up to {@link AggregatorClient#MARGIN} before answering it.
     */
    private View firstView(String jobId, Optional<String> principal, @Nullable String authorization)
            throws InterruptedException {
        View shared = watches.latest(jobId, authorization);
        if (shared != null) {
            return shared;
        }
        long deadline = System.nanoTime() + AggregatorClient.MARGIN.toNanos();
        while (true) {
            try {
                return view(jobId, Duration.ZERO, null, principal, authorization);
            } catch (ViewUnavailable e) {
                if (e.status() != 503 || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(FIRST_VIEW_RETRY);
            }
        }
    }

    /** Writes the changes of {@code view} above {@code lastSent}, in order; answers the last version written. */
    private static long send(OutputStream out, View view, long lastSent) throws IOException {
        long last = lastSent;
        StringBuilder events = new StringBuilder();
        for (JsonNode change : view.json().path("history")) {
            long version = change.path("version").asLong(-1);
            if (version > last) {
                events.append("event: state\nid: ").append(version).append("\ndata: ").append(change).append("\n\n");
                last = version;
            }
        }
        if (!events.isEmpty()) {
            out.write(events.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        return last;
    }

    /** A job view: its JSON and the parsed tree. */
    record View(String body, JsonNode json) {

        long version() {
            return json.path("version").asLong(-1);
        }

        boolean terminal() {
            return json.path("terminal").asBoolean(false);
        }
    }

    /**
     * The view of {@code jobId} from the aggregator, checked against the caller's tenant.
     *
     * @throws ViewUnavailable 404 (unknown or another tenant's job), 503 (aggregator unreachable or unavailable)
     */
    View view(String jobId, Duration wait, @Nullable Long after, Optional<String> principal,
            @Nullable String authorization) {
        AggregatorClient.Answer answer;
        try {
            answer = aggregator.jobView(jobId, wait, after, authorization);
        } catch (AggregatorClient.Overloaded e) {
            log.debug("Job {} not asked: {}", jobId, e.getMessage());
            throw ViewUnavailable.unavailable("this producer is overloaded: " + e.getMessage());
        } catch (IOException e) {
            log.debug("Aggregator at {} unreachable for job {}: {}", aggregator.base(), jobId, e.toString());
            throw ViewUnavailable.unavailable("the job status service (aggregator at " + aggregator.base()
                    + ") cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ViewUnavailable.unavailable("interrupted");
        }
        if (answer.status() == 404) {
            throw ViewUnavailable.notFound(jobId);
        }
        if (answer.status() != 200) {
            throw ViewUnavailable.unavailable("the job status service answered HTTP " + answer.status());
        }
        JsonNode json;
        try {
            json = JSON.readTree(answer.body());
        } catch (JsonProcessingException e) {
            throw ViewUnavailable.unavailable("the job status service answered unreadable JSON");
        }
        if (principal.isPresent() && !principal.get().equals(json.path("tenant").asText(null))) {
            throw ViewUnavailable.notFound(jobId);
        }
        return new View(answer.body(), json);
    }

    Duration capped(Duration wait) {
        return wait.compareTo(maxWait) > 0 ? maxWait : wait;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    static Duration duration(@Nullable String raw) {
        if (raw == null || raw.isBlank()) {
            return Duration.ZERO;
        }
        try {
            return Durations.parse(raw);
        } catch (IllegalArgumentException e) {
            throw Rejection.invalidField("wait", e.getMessage() + ", but was '" + raw + "'");
        }
    }

    static @Nullable Long version(@Nullable String raw) {
        try {
            return ViewVersion.parse(raw);
        } catch (IllegalArgumentException e) {
            throw Rejection.invalidField("after", e.getMessage());
        }
    }

    /** A job view the caller cannot have: 404 or 503. */
    static final class ViewUnavailable extends RuntimeException {

        private static final long serialVersionUID = 1L;
        private final transient Problem problem;

        private ViewUnavailable(Problem problem) {
            super(problem.detail(), null, false, false);
            this.problem = problem;
        }

        static ViewUnavailable notFound(String jobId) {
            return new ViewUnavailable(Problem.of(404, "Not Found", "no job " + jobId
                    + " (unknown, another tenant's, or older than the job status retention)").with("jobId", jobId));
        }

        static ViewUnavailable unavailable(String detail) {
            return new ViewUnavailable(Problem.of(503, "Service Unavailable", detail));
        }

        int status() {
            return problem.status();
        }

        void respond(Context ctx) {
            if (problem.status() == 503) {
                ctx.header("Retry-After", "1");
            }
            OpsServer.respond(ctx, problem);
        }
    }
}
