package io.promptq.worker.processing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.promptq.llm.LlmRequest;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Maps a {@link PromptJob} to the provider request. */
public final class JobRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code extra} key carrying {@code topP} when the job sets it. */
    public static final String TOP_P = "top_p";
    /** {@code extra} key carrying {@code seed} when the job sets it. */
    public static final String SEED = "seed";
    /** Extra parameter carrying the job's stop sequences, as a JSON array. */
    public static final String STOP = "stop";

    private JobRequests() {}

    /**
     * The request for one attempt of {@code job}: its messages (roles lower-cased as in the OpenAI API), sampling
     * parameters, provider extras plus {@value #TOP_P}, {@value #SEED} and {@value #STOP} when set, the call
     * timeout and the job's deadline (so that waits before the call re-check it).
     */
    public static LlmRequest toRequest(PromptJob job, Duration timeout) {
        List<LlmRequest.Message> messages = new ArrayList<>(job.getMessages().size());
        for (ChatMessage m : job.getMessages()) {
            messages.add(new LlmRequest.Message(m.getRole().name().toLowerCase(Locale.ROOT), m.getContent()));
        }
        GenerationParameters p = job.getParameters();
        Map<String, String> extra = p.getExtra();
        if (p.getTopP() != null || p.getSeed() != null || !p.getStop().isEmpty()) {
            extra = new HashMap<>(extra);
            if (p.getTopP() != null) {
                extra.putIfAbsent(TOP_P, Double.toString(p.getTopP()));
            }
            if (p.getSeed() != null) {
                extra.putIfAbsent(SEED, Long.toString(p.getSeed()));
            }
            if (!p.getStop().isEmpty()) {
                extra.putIfAbsent(STOP, jsonArray(p.getStop()));
            }
        }
        return new LlmRequest(job.getJobId(), job.getModel(), messages, p.getTemperature(), p.getMaxTokens(), extra, timeout,
                job.getDeadline());
    }

    private static String jsonArray(List<String> values) {
        ArrayNode array = JSON.createArrayNode();
        values.forEach(array::add);
        return array.toString();
    }
}
