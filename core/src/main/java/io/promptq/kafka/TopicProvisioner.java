package io.promptq.kafka;

import io.promptq.kafka.internal.AdminTopicProvisioner;
import io.promptq.retry.Backoff;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;

/**
 * The one way promptq services (and the launcher's local stack) create their topics: each missing topic is
 * created from its {@link TopicSpec}, a concurrent creation by another instance ({@code TopicExistsException})
 * counts as success, and {@link #ensure} returns only once every partition of every listed topic has a leader
 * that answers requests, so the first sends and fetches do not race the broker. Existing topics are left as
 * they are. Each topic is created with an explicit replication factor and {@code min.insync.replicas}
 * ({@link TopicSpec#explicitFor}, from the number of brokers in the cluster), never the broker's defaults.
 *
 * <p>Transient failures (broker unreachable, metadata not propagated yet) are retried with full-jitter
 * backoff until the deadline; a refusal (invalid configuration, not authorized) fails at once. Either way the
 * {@link TopicProvisioningException} names the topic. Thread-safe.
 */
public interface TopicProvisioner {

    /** How long {@link #ensure} may take by default. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** First wait between attempts; waits double up to {@link #MAX_BACKOFF}, with full jitter. */
    Duration INITIAL_BACKOFF = Duration.ofMillis(50);
    /** Longest wait between attempts. */
    Duration MAX_BACKOFF = Duration.ofSeconds(1);

    /**
     * Creates the missing topics among {@code topics} and waits until all of them are served.
     *
     * @return the names of the topics this call created (the others existed already)
     * @throws TopicProvisioningException if a topic is refused, or the deadline passes first
     */
    Set<String> ensure(Collection<TopicSpec> topics);

    /** A provisioner over {@code admin} (not closed by it) with a {@link #DEFAULT_TIMEOUT} deadline. */
    static TopicProvisioner create(Admin admin) {
        return create(admin, DEFAULT_TIMEOUT);
    }

    /** A provisioner over {@code admin} (not closed by it) whose {@link #ensure} gives up after {@code timeout}. */
    static TopicProvisioner create(Admin admin, Duration timeout) {
        return create(admin, Backoff.exponential(INITIAL_BACKOFF, MAX_BACKOFF).fullJitter().maxElapsed(timeout).build());
    }

    /**
     * A provisioner over {@code admin} (not closed by it) that waits between attempts and gives up as
     * {@code backoff} says; its {@code maxElapsed} is the deadline of each {@link #ensure} call and is required.
     */
    static TopicProvisioner create(Admin admin, Backoff backoff) {
        return new AdminTopicProvisioner(admin, backoff);
    }
}
