package io.promptq.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.client.JobRequest;
import io.promptq.client.JobValidator;
import io.promptq.client.Violation;
import io.promptq.schema.BatchError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A batch's input file, read line by line as a stream (never whole; strict UTF-8; blank lines skipped but counted,
 * so line numbers are the file's). {@link #validate} checks every line as OpenAI does and answers OpenAI's
 * {@code errors.data[]}; {@link #forEachJob} maps each line of a valid file to its job.
 *
 * <p>A line is {@code {"custom_id": <non-empty string of at most 512 characters, unique in the file>, "method":
 * "POST", "url": <the batch's endpoint>, "body": <chat request>}}; its body is mapped by {@link ChatRequests} and the
 * job checked by the client's {@link JobValidator}. A file has at least one and at most
 * {@link BatchConfig#maxLines()} lines.
 */
public final class BatchInput {

    /** Errors kept per file; the last one says how many more there were. */
    public static final int MAX_ERRORS = 1000;
    /** Longest {@code custom_id}. */
    public static final int MAX_CUSTOM_ID_LENGTH = 512;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final BatchConfig config;
    private final JobValidator validator;

    public BatchInput(BatchConfig config, JobValidator validator) {
        this.config = Objects.requireNonNull(config, "config");
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    /**
     * The batch a file is read for.
     *
     * @param tenant the batch's tenant, the jobs' tenant
     * @param batchId the batch id, in every job's attributes and idempotency key
     * @param endpoint the batch's endpoint, every line's {@code url}
     * @param deadline the batch's {@code expires_at}, every job's deadline
     */
    public record Target(String tenant, String batchId, String endpoint, Instant deadline) {

        public Target {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(batchId, "batchId");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(deadline, "deadline");
        }
    }

    /** What {@link #validate} found: the number of requests and, when the file is refused, why. */
    public record Validation(int total, List<BatchError> errors) {

        public Validation {
            errors = List.copyOf(errors);
        }

        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** One line's job: its 1-based line number, {@code custom_id} and the request to submit. */
    public record Job(int line, String customId, JobRequest request) {}

    /** Receives the jobs of a file in line order. */
    @FunctionalInterface
    public interface JobHandler {
        /** Handles one line's job; returns false to stop reading. */
        boolean accept(Job job) throws IOException, InterruptedException;
    }

    /** Reads {@code in} to its end (or to the line limit) and answers every rule it breaks. */
    public Validation validate(InputStream in, Target target) throws IOException {
        Errors errors = new Errors();
        Set<String> customIds = new HashSet<>();
        int total = 0;
        int lineNumber = 0;
        LineReader reader = reader(in);
        try {
            String text;
            while ((text = reader.readLine()) != null) {
                lineNumber++;
                if (text.isBlank()) {
                    continue;
                }
                if (++total > config.maxLines()) {
                    errors.add(error("too_many_requests", "the file has more than the " + config.maxLines()
                            + " requests a batch may have", null, null));
                    return new Validation(total, errors.list());
                }
                try {
                    Job job = parse(text, lineNumber, target);
                    if (!customIds.add(job.customId())) {
                        errors.add(error("duplicate_custom_id", "custom_id '" + job.customId()
                                + "' is used by an earlier line; every custom_id must be unique", "custom_id",
                                lineNumber));
                    }
                } catch (LineException e) {
                    errors.add(e.error);
                }
            }
        } catch (CharacterCodingException e) {
            errors.add(error("invalid_file", "the file is not valid UTF-8 (at line " + (lineNumber + 1) + ")", null,
                    lineNumber + 1));
            return new Validation(total, errors.list());
        }
        if (total == 0) {
            errors.add(error("empty_file", "the file has no requests", null, null));
        }
        return new Validation(total, errors.list());
    }

    /**
     * Reads a file that {@link #validate passed validation} again and hands each line's job to {@code handler}, in
     * line order; answers the number of jobs handed over.
     *
     * @throws IOException when the file cannot be read, or a line no longer validates (the file changed)
     */
    public int forEachJob(InputStream in, Target target, JobHandler handler) throws IOException, InterruptedException {
        int lineNumber = 0;
        int jobs = 0;
        LineReader reader = reader(in);
        String text;
        while ((text = reader.readLine()) != null) {
            lineNumber++;
            if (text.isBlank()) {
                continue;
            }
            Job job;
            try {
                job = parse(text, lineNumber, target);
            } catch (LineException e) {
                throw new IOException("line " + lineNumber + " of batch " + target.batchId()
                        + "'s input no longer validates: " + e.error.getMessage());
            }
            jobs++;
            if (!handler.accept(job)) {
                break;
            }
        }
        return jobs;
    }

    /**
     * Hands the number of every request line (every non-blank line) of {@code in} to {@code handler}, without
     * parsing them: the lines whose jobs a cancel names. Answers how many there were.
     */
    public static int forEachRequestLine(InputStream in, LineNumberHandler handler)
            throws IOException, InterruptedException {
        int lineNumber = 0;
        int lines = 0;
        LineReader reader = reader(in);
        String text;
        while ((text = reader.readLine()) != null) {
            lineNumber++;
            if (!text.isBlank()) {
                lines++;
                if (!handler.accept(lineNumber)) {
                    break;
                }
            }
        }
        return lines;
    }

    /** Receives line numbers; returns false to stop reading. */
    @FunctionalInterface
    public interface LineNumberHandler {
        boolean accept(int line) throws IOException, InterruptedException;
    }

    /** The job {@code text} (line {@code lineNumber}) asks for, fully validated. */
    Job parse(String text, int lineNumber, Target target) throws LineException {
        JsonNode line;
        try {
            line = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new LineException(error("invalid_json_line", "line " + lineNumber + " is not a JSON object: "
                    + e.getOriginalMessage(), null, lineNumber));
        }
        if (line == null || !line.isObject()) {
            throw new LineException(error("invalid_json_line", "line " + lineNumber + " is not a JSON object", null,
                    lineNumber));
        }
        JsonNode customId = line.get("custom_id");
        if (customId == null || customId.isNull()) {
            throw missing("custom_id", lineNumber);
        }
        if (!customId.isTextual() || customId.asText().isEmpty()
                || customId.asText().length() > MAX_CUSTOM_ID_LENGTH) {
            throw new LineException(error("invalid_custom_id", "custom_id must be a non-empty string of at most "
                    + MAX_CUSTOM_ID_LENGTH + " characters", "custom_id", lineNumber));
        }
        JsonNode method = line.get("method");
        if (method == null || method.isNull()) {
            throw missing("method", lineNumber);
        }
        if (!"POST".equals(method.asText(null)) || !method.isTextual()) {
            throw new LineException(error("invalid_method", "method must be POST, but was " + method, "method",
                    lineNumber));
        }
        JsonNode url = line.get("url");
        if (url == null || url.isNull()) {
            throw missing("url", lineNumber);
        }
        if (!url.isTextual() || !target.endpoint().equals(url.asText())) {
            throw new LineException(error("mismatched_endpoint", "url must be the batch's endpoint "
                    + target.endpoint() + ", but was " + url, "url", lineNumber));
        }
        JsonNode body = line.get("body");
        if (body == null || body.isNull()) {
            throw missing("body", lineNumber);
        }
        if (!body.isObject()) {
            throw new LineException(error("invalid_request", "body must be a JSON object", "body", lineNumber));
        }
        JobRequest.Builder builder;
        try {
            builder = ChatRequests.toJobRequest(body);
        } catch (ChatRequests.InvalidBodyException e) {
            throw new LineException(error("invalid_request", e.getMessage(), e.param(), lineNumber));
        }
        JobRequest request = builder.tenant(target.tenant()).deadline(target.deadline())
                .idempotencyKey(BatchAttributes.idempotencyKey(target.batchId(), lineNumber))
                .attribute(BatchAttributes.BATCH_ID, target.batchId())
                .attribute(BatchAttributes.CUSTOM_ID, customId.asText())
                .attribute(BatchAttributes.LINE, Integer.toString(lineNumber))
                .build();
        List<Violation> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            Violation first = violations.get(0);
            throw new LineException(error("invalid_request", first.toString(), first.field(), lineNumber));
        }
        return new Job(lineNumber, customId.asText(), request);
    }

    private static LineReader reader(InputStream in) {
        return new LineReader(in);
    }

    /**
     * Splits a stream into lines at {@code \n} (dropping a {@code \r} before it) and decodes each as strict UTF-8,
     * so that an encoding error is reported on its own line (a decoding reader fails a whole buffer ahead).
     */
    private static final class LineReader {
        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final byte[] buffer = new byte[64 * 1024];
        private int position;
        private int limit;
        private byte[] line = new byte[1024];

        LineReader(InputStream in) {
            this.in = in;
        }

        @Nullable String readLine() throws IOException {
            int length = 0;
            boolean any = false;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return any ? decode(length) : null;
                    }
                }
                any = true;
                byte b = buffer[position++];
                if (b == '\n') {
                    return decode(length);
                }
                if (length == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[length++] = b;
            }
        }

        private String decode(int length) throws CharacterCodingException {
            int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
            return decoder.reset().decode(ByteBuffer.wrap(line, 0, end)).toString();
        }
    }

    private static LineException missing(String field, int lineNumber) {
        return new LineException(error("missing_required_parameter", "line " + lineNumber + " has no " + field,
                field, lineNumber));
    }

    private static BatchError error(String code, String message, @Nullable String param, @Nullable Integer line) {
        return BatchError.newBuilder().setCode(code).setMessage(message).setParam(param).setLine(line).build();
    }

    /** A line broke a rule. */
    static final class LineException extends Exception {

        private static final long serialVersionUID = 1L;
        final transient BatchError error;

        LineException(BatchError error) {
            super(error.getMessage(), null, false, false);
            this.error = error;
        }
    }

    /** The first {@link #MAX_ERRORS} errors and a count of the rest. */
    private static final class Errors {
        private final List<BatchError> kept = new ArrayList<>();
        private int more;

        void add(BatchError error) {
            if (kept.size() < MAX_ERRORS) {
                kept.add(error);
            } else {
                more++;
            }
        }

        List<BatchError> list() {
            if (more == 0) {
                return kept;
            }
            BatchError last = kept.get(kept.size() - 1);
            kept.set(kept.size() - 1, BatchError.newBuilder(last)
                    .setMessage(last.getMessage() + " (and " + more + " more errors)").build());
            return kept;
        }
    }
}
