package io.promptq.kafka;

import java.util.List;

/**
 * Topics could not be provisioned: the broker refused one (the message names it and the broker's reason), or
 * they were not created and served before the provisioner's deadline.
 */
public class TopicProvisioningException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> topics;

    public TopicProvisioningException(List<String> topics, String message, Throwable cause) {
        super(message, cause);
        this.topics = List.copyOf(topics);
    }

    /** The topics that failed. */
    public List<String> topics() {
        return topics;
    }
}
