package io.promptq.client;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The one implementation of promptq's job validation rules, used by {@link PromptqClient#submit} and
 * therefore by the HTTP API too, so the two paths can never disagree. It reports every broken rule
 * as a {@link Violation} naming the field by its JSON path, in field order. Thread-safe.
 *
 * <p>Rules: {@code tenant} required, at most {@value ValidationRules#MAX_TENANT_LENGTH} characters of
 * letters, digits, {@code . _ -}; {@code model} required, at most {@value ValidationRules#MAX_MODEL_LENGTH}
 * characters of letters, digits, {@code . _ : / @ + -} (it becomes a metric tag and a breaker name in the
 * worker), on the allow-list when one is configured;
 * {@code messages} non-empty, at most {@link ValidationRules#maxMessages()}, each with role
 * system/user/assistant/tool and non-empty content; {@code temperature} in [0, 2]; {@code maxTokens}
 * in [1, cap]; {@code topP} in (0, 1]; at most {@value ValidationRules#MAX_STOP_SEQUENCES} non-empty stop
 * sequences; {@code deadline} in the future and at most {@link ValidationRules#MAX_DEADLINE} (year 9999);
 * {@code idempotencyKey} non-blank and at most
 * {@value ValidationRules#MAX_IDEMPOTENCY_KEY_LENGTH} characters; at most
 * {@value ValidationRules#MAX_ATTRIBUTES} attributes (and extra parameters) with non-blank keys and
 * non-null values; {@code callbackUrl} on the webhook allow-list ({@link io.promptq.webhook.WebhookTargets}; with
 * webhooks off every callback is refused). No string may hold a lone UTF-16 surrogate or a NUL character: neither survives the
 * UTF-8 record unchanged.
 */
public final class JobValidator {

    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9._:/@+-]+");
    private static final Set<String> ROLES = Set.of(JobRequest.Message.SYSTEM, JobRequest.Message.USER,
            JobRequest.Message.ASSISTANT, JobRequest.Message.TOOL);

    private final ValidationRules rules;
    private final Clock clock;

    private JobValidator(ValidationRules rules, Clock clock) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A validator of {@code rules} that compares deadlines with the system clock. */
    public static JobValidator of(ValidationRules rules) {
        return of(rules, Clock.systemUTC());
    }

    /** A validator of {@code rules} that compares deadlines with {@code clock} (tests pass a fixed one). */
    public static JobValidator of(ValidationRules rules, Clock clock) {
        return new JobValidator(rules, clock);
    }

    public ValidationRules rules() {
        return rules;
    }

    /** Every rule {@code request} breaks; empty when it may be published. */
    public List<Violation> validate(JobRequest request) {
        Objects.requireNonNull(request, "request");
        List<Violation> out = new ArrayList<>();
        checkTenant(request.tenant(), out);
        checkModel(request.model(), out);
        checkMessages(request.messages(), out);
        checkSampling(request, out);
        checkStop(request.stop(), out);
        Instant deadline = request.deadline();
        if (deadline != null && !deadline.isAfter(clock.instant())) {
            out.add(new Violation("deadline", "must lie in the future, but was " + deadline));
        } else if (deadline != null && deadline.isAfter(ValidationRules.MAX_DEADLINE)) {
            out.add(new Violation("deadline", "must be at most " + ValidationRules.MAX_DEADLINE + ", but was "
                    + deadline));
        }
        String key = request.idempotencyKey();
        if (key != null && (key.isBlank() || key.length() > ValidationRules.MAX_IDEMPOTENCY_KEY_LENGTH)) {
            out.add(new Violation("idempotencyKey", "must be non-blank and at most "
                    + ValidationRules.MAX_IDEMPOTENCY_KEY_LENGTH + " characters"));
        } else {
            checkText("idempotencyKey", key, out);
        }
        checkMap("attributes", request.attributes(), out);
        checkMap("extra", request.extra(), out);
        String callbackUrl = request.callbackUrl();
        if (callbackUrl != null) {
            String refusal = rules.webhooks().refusal(callbackUrl);
            if (refusal != null) {
                out.add(new Violation("callbackUrl", refusal));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Throws if {@code request} breaks any rule.
     *
     * @throws InvalidJobException listing every violation
     */
    public void check(JobRequest request) {
        List<Violation> violations = validate(request);
        if (!violations.isEmpty()) {
            throw new InvalidJobException(violations);
        }
    }

    /**
     * Every rule a job id breaks: required (not blank), at most {@value ValidationRules#MAX_JOB_ID_LENGTH}
     * characters, no NUL or lone surrogate. The client makes ids itself; workers check records of foreign
     * producers with this, so both sides share one rule. Allocates nothing for a valid id.
     */
    public static List<Violation> validateJobId(@Nullable String jobId) {
        if (jobId != null && !jobId.isBlank() && jobId.length() <= ValidationRules.MAX_JOB_ID_LENGTH
                && jobId.indexOf('\0') < 0 && !hasSurrogate(jobId)) {
            return List.of();
        }
        List<Violation> out = new ArrayList<>(1);
        if (jobId == null || jobId.isBlank()) {
            out.add(new Violation("jobId", "is required"));
        } else if (jobId.length() > ValidationRules.MAX_JOB_ID_LENGTH) {
            out.add(new Violation("jobId", "must be at most " + ValidationRules.MAX_JOB_ID_LENGTH
                    + " characters, but was " + jobId.length()));
        } else {
            checkText("jobId", jobId, out);
        }
        return List.copyOf(out);
    }

    private static boolean hasSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isSurrogate(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static void checkTenant(String tenant, List<Violation> out) {
        if (tenant == null || tenant.isBlank()) {
            out.add(new Violation("tenant", "is required"));
        } else if (tenant.length() > ValidationRules.MAX_TENANT_LENGTH || !TENANT.matcher(tenant).matches()) {
            out.add(new Violation("tenant", "must be at most " + ValidationRules.MAX_TENANT_LENGTH
                    + " letters, digits, '.', '_' or '-', but was '" + abbreviate(tenant) + "'"));
        }
    }

    private void checkModel(String model, List<Violation> out) {
        if (model == null || model.isBlank()) {
            out.add(new Violation("model", "is required"));
        } else if (model.length() > ValidationRules.MAX_MODEL_LENGTH || !MODEL.matcher(model).matches()) {
            out.add(new Violation("model", "must be at most " + ValidationRules.MAX_MODEL_LENGTH
                    + " characters of letters, digits and . _ : / @ + -"));
        } else if (!rules.allowsModel(model)) {
            out.add(new Violation("model", "unknown model '" + abbreviate(model) + "'; allowed: "
                    + rules.modelAllowList()));
        } else {
            checkText("model", model, out);
        }
    }

    private void checkMessages(List<JobRequest.Message> messages, List<Violation> out) {
        if (messages.isEmpty()) {
            out.add(new Violation("messages", "must contain at least one message"));
            return;
        }
        if (messages.size() > rules.maxMessages()) {
            out.add(new Violation("messages", "must contain at most " + rules.maxMessages() + " messages, but has "
                    + messages.size()));
            return;
        }
        for (int i = 0; i < messages.size(); i++) {
            JobRequest.Message message = messages.get(i);
            String path = "messages[" + i + "]";
            if (message == null) {
                out.add(new Violation(path, "must not be null"));
                continue;
            }
            String role = message.normalizedRole();
            if (role == null || !ROLES.contains(role)) {
                out.add(new Violation(path + ".role", "must be one of system, user, assistant, tool, but was "
                        + (message.role() == null ? "missing" : "'" + abbreviate(message.role()) + "'")));
            }
            if (message.content() == null || message.content().isEmpty()) {
                out.add(new Violation(path + ".content", "must not be empty"));
            } else {
                checkText(path + ".content", message.content(), out);
            }
        }
    }

    private void checkSampling(JobRequest request, List<Violation> out) {
        Double temperature = request.temperature();
        if (temperature != null && !(temperature >= ValidationRules.MIN_TEMPERATURE
                && temperature <= ValidationRules.MAX_TEMPERATURE)) {
            out.add(new Violation("temperature", "must be between 0 and 2, but was " + temperature));
        }
        Integer maxTokens = request.maxTokens();
        if (maxTokens != null && (maxTokens < 1 || maxTokens > rules.maxTokensCap())) {
            out.add(new Violation("maxTokens", "must be between 1 and " + rules.maxTokensCap() + ", but was "
                    + maxTokens));
        }
        Double topP = request.topP();
        if (topP != null && !(topP > 0 && topP <= 1)) {
            out.add(new Violation("topP", "must be greater than 0 and at most 1, but was " + topP));
        }
    }

    private static void checkStop(List<String> stop, List<Violation> out) {
        if (stop.size() > ValidationRules.MAX_STOP_SEQUENCES) {
            out.add(new Violation("stop", "must contain at most " + ValidationRules.MAX_STOP_SEQUENCES
                    + " sequences, but has " + stop.size()));
            return;
        }
        for (int i = 0; i < stop.size(); i++) {
            if (stop.get(i) == null || stop.get(i).isEmpty()) {
                out.add(new Violation("stop[" + i + "]", "must not be empty"));
            } else {
                checkText("stop[" + i + "]", stop.get(i), out);
            }
        }
    }

    private static void checkMap(String field, Map<String, String> map, List<Violation> out) {
        if (map.size() > ValidationRules.MAX_ATTRIBUTES) {
            out.add(new Violation(field, "must contain at most " + ValidationRules.MAX_ATTRIBUTES
                    + " entries, but has " + map.size()));
            return;
        }
        map.forEach((key, value) -> {
            if (key == null || key.isBlank()) {
                out.add(new Violation(field, "keys must not be blank"));
            } else if (value == null) {
                out.add(new Violation(field + "." + key, "must not be null"));
            } else {
                if (checkText(field, key, out)) {
                    checkText(field + "." + key, value, out);
                }
            }
        });
    }

    /** Reports {@code value} on {@code field} if it holds a NUL character or a lone UTF-16 surrogate; true if not. */
    private static boolean checkText(String field, String value, List<Violation> out) {
        if (value == null) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                out.add(new Violation(field, "must not contain a NUL character (at index " + i + ")"));
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                out.add(new Violation(field, String.format("must not contain a lone surrogate (\\u%04x at index %d)",
                        (int) c, i)));
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 61) + "...";
    }
}
