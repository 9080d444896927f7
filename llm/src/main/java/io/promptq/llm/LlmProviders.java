package io.promptq.llm;

import io.promptq.llm.internal.OpenAiCompatibleProvider;
import io.promptq.llm.internal.SimulatedProvider;

/** Creates providers, so callers never name an implementation. */
public final class LlmProviders {

    private LlmProviders() {}

    /** The provider {@code config} selects: simulated (a {@link SimulatedLlm}) or OpenAI-compatible. */
    public static LlmProvider create(LlmConfig config) {
        return switch (config.provider()) {
            case SIMULATED -> simulated(config.simulated());
            case OPENAI -> openAiCompatible(config.openAi());
        };
    }

    /** An in-process simulated provider with the given latency and failure behaviour. */
    public static SimulatedLlm simulated(SimulatedSettings settings) {
        return new SimulatedProvider(settings);
    }

    /** A provider for any server speaking OpenAI's {@code POST /chat/completions}. */
    public static LlmProvider openAiCompatible(OpenAiSettings settings) {
        return new OpenAiCompatibleProvider(settings);
    }
}
