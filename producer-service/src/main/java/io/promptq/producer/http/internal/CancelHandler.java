package io.promptq.producer.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.promptq.client.JobValidator;
import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitException;
import io.promptq.client.Violation;
import io.promptq.http.OpsServer;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.producer.http.JobJson;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /v1/jobs/{jobId}/cancel}: writes a {@code JobCancellation} for the caller's tenant and answers 202
 * {@code {"jobId", "cancelRequested": true}} once the broker acknowledged it. The workers then finish the job
 * {@code CANCELLED} (not started yet: without a provider call; running: its call aborted); a finished job keeps its
 * outcome and a request naming another tenant's job does nothing.
 *
 * <p>The tenant is the bearer token's when authentication is on (a {@code tenant} given as well must match it, else
 * 403); with authentication off it is the {@code tenant} query parameter, else the {@code tenant} field of an
 * optional JSON body, else {@code PROMPTQ_PRODUCER_DEFAULT_TENANT}. The body may carry a {@code reason}.
 *
 * <p>The job's view is asked first (from the aggregator, like {@code GET /v1/jobs/{jobId}}): a terminal job is
 * answered 200 {@code {"jobId", "cancelRequested": false, "state"}} and nothing is written. With authentication on,
 * an unknown job or another tenant's is 404 (the same answer, so ids leak nothing) and nothing is written, and when
 * the aggregator cannot be asked the answer is 503; with it off, a job the aggregator does not know (yet) or cannot
 * be asked about is cancelled all the same (the workers apply a request only to a job of its tenant).
 */
public final class CancelHandler {

    private final PromptqClient client;
    private final ProducerServiceConfig config;
    private final Authenticator auth;
    private final JobStatusHandler status;

    public CancelHandler(PromptqClient client, ProducerServiceConfig config, JobStatusHandler status) {
        this.client = client;
        this.config = config;
        this.status = status;
        this.auth = new Authenticator(config.authTokens());
    }

    /** Handles {@code POST /v1/jobs/{jobId}/cancel}. */
    public void cancel(Context ctx) {
        try {
            Optional<String> principal = auth.authenticate(ctx.header("Authorization"));
            String jobId = ctx.pathParam("jobId");
            List<Violation> invalid = JobValidator.validateJobId(jobId);
            if (!invalid.isEmpty()) {
                throw Rejection.invalidField("jobId", invalid.getFirst().message());
            }
            JsonNode body = body(ctx);
            String tenant = firstNonNull(ctx.queryParam("tenant"), text(body, "tenant"));
            if (tenant == null) {
                tenant = principal.orElse(config.defaultTenant());
            }
            auth.authorize(principal, tenant);
            Optional<JsonNode> terminal = terminalView(principal, jobId, ctx.header("Authorization"));
            if (terminal.isPresent()) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("jobId", jobId);
                answer.put("cancelRequested", false);
                answer.put("state", terminal.get().path("state").asText());
                ctx.status(200).json(answer);
                return;
            }
            await(jobId, client.cancel(tenant, jobId, text(body, "reason")));
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("jobId", jobId);
            answer.put("cancelRequested", true);
            ctx.status(202).json(answer);
        } catch (Rejection rejection) {
            rejection.headers().forEach(ctx::header);
            OpsServer.respond(ctx, rejection.problem());
        } catch (JobStatusHandler.ViewUnavailable e) {
            e.respond(ctx);
        }
    }

    /**
     * The job's view if it is terminal (nothing left to cancel), else empty.
     *
     * @throws JobStatusHandler.ViewUnavailable with authentication on: 404 for an unknown or another tenant's job,
     *     503 when the aggregator cannot be asked
     */
    private Optional<JsonNode> terminalView(Optional<String> principal, String jobId, @Nullable String authorization) {
        try {
            JsonNode view = status.view(jobId, Duration.ZERO, null, principal, authorization).json();
            return view.path("terminal").asBoolean() ? Optional.of(view) : Optional.empty();
        } catch (JobStatusHandler.ViewUnavailable e) {
            if (principal.isPresent()) {
                throw e;
            }
            return Optional.empty();
        }
    }

    private void await(String jobId, CompletableFuture<Void> sent) {
        long seconds = Math.max(1, (client.sendTimeout().toMillis() + 999) / 1000);
        try {
            sent.get(client.sendTimeout().toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof SubmitException s && (s.reason() == SubmitException.Reason.UNAVAILABLE
                    || s.reason() == SubmitException.Reason.OUTCOME_UNKNOWN)) {
                throw Rejection.unavailable("the cancel request for " + jobId + " was not written: "
                        + s.getMessage(), seconds);
            }
            throw Rejection.error("the cancel request for " + jobId + " was not written; see the service log");
        } catch (TimeoutException e) {
            throw Rejection.unavailable("the cancel request was not acknowledged in time", seconds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Rejection.unavailable("the service is shutting down", seconds);
        }
    }

    private JsonNode body(Context ctx) {
        byte[] bytes = BodyReader.read(ctx.req(), config.maxBodyBytes());
        if (bytes.length == 0) {
            return JobJson.mapper().createObjectNode();
        }
        try {
            JsonNode node = JobJson.mapper().readTree(bytes);
            if (node == null || !node.isObject()) {
                throw Rejection.invalidField("body", "must be a JSON object, e.g. {\"reason\": \"...\"}");
            }
            return node;
        } catch (IOException e) {
            throw Rejection.invalidField("body", "is not valid JSON");
        }
    }

    private static @Nullable String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw Rejection.invalidField(field, "must be a string");
        }
        return value.asText();
    }

    private static @Nullable String firstNonNull(@Nullable String a, @Nullable String b) {
        return a != null ? a : b;
    }
}
