package io.promptq.testkit;

import io.promptq.local.LocalOpenAiStub;
import java.io.IOException;

/**
 * A local server speaking OpenAI's chat-completions API with scripted behaviour, counting calls per job: the
 * {@link LocalOpenAiStub} of {@code local-cluster} (which the launcher's {@code chaos} command uses too) under the
 * testkit name tests know. {@link Behaviour} and {@link Outage} are its nested types.
 */
public final class OpenAiStub extends LocalOpenAiStub {

    private OpenAiStub(Behaviour behaviour) throws IOException {
        super(behaviour);
    }

    /**
     * Starts a stub on a free port of 127.0.0.1.
     *
     * @throws IllegalStateException if the server cannot bind
     */
    public static OpenAiStub start(Behaviour behaviour) {
        return start(behaviour, OpenAiStub::new);
    }
}
