package io.promptq.llm;

/**
 * The request's {@link LlmRequest#deadline() deadline} passed while the call waited (for a breaker or a rate
 * limit): the provider was not called, no attempt was made and the breaker recorded nothing. Class TIMEOUT.
 */
public final class DeadlinePassedException extends ProviderException {

    public DeadlinePassedException(String message) {
        super(ErrorClass.TIMEOUT, message);
    }
}
