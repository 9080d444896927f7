package io.promptq.worker.kafka;

import java.util.Locale;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.jspecify.annotations.Nullable;

/**
 * Why a commit of finished work (outputs and offsets) failed, as counted by the {@code promptq.worker.commit.failures}
 * metric: the group was rebalancing or had moved on (the commit's generation is stale), a timeout, or anything else.
 */
public enum CommitFailureReason {
    /** The group is rebalancing or has a newer generation: the commit is refused until the member rejoins. */
    REBALANCE,
    /** No answer in time (coordinator or broker unreachable, moved). */
    TIMEOUT,
    /** Any other failure (a refused or failed output, authorization, a fatal producer error, ...). */
    OTHER;

    /** The metric tag value: the lower-case name. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Classifies {@code error} by itself and its causes; {@link #OTHER} for null. */
    public static CommitFailureReason of(@Nullable Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RebalanceInProgressException || t instanceof CommitFailedException
                    || t instanceof IllegalGenerationException || t instanceof UnknownMemberIdException
                    || t instanceof FencedInstanceIdException || t instanceof StaleMemberEpochException) {
                return REBALANCE;
            }
            if (t instanceof TimeoutException) {
                return TIMEOUT;
            }
        }
        return OTHER;
    }
}
