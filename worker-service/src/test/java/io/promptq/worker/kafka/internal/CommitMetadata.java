package io.promptq.worker.kafka.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * Reads a commit's offset metadata back for assertions: the finished offsets it names and its start counts. Public
 * for the worker's integration tests, which read the group's committed offsets from the broker.
 */
public final class CommitMetadata {

    private CommitMetadata() {}

    /** The offsets {@code committed}'s metadata names as finished above its position, in order. */
    public static List<Long> finished(OffsetAndMetadata committed) {
        OffsetProgress p = decode(committed);
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < p.finishedRanges(); i++) {
            for (long o = p.finishedFrom(i); o < p.finishedTo(i); o++) {
                offsets.add(o);
            }
        }
        return offsets;
    }

    /** The start counts {@code committed}'s metadata carries, by offset. */
    public static Map<Long, Integer> starts(OffsetAndMetadata committed) {
        OffsetProgress p = decode(committed);
        Map<Long, Integer> starts = new LinkedHashMap<>();
        for (int i = 0; i < p.startEntries(); i++) {
            starts.put(p.startOffset(i), p.startCount(i));
        }
        return starts;
    }

    private static OffsetProgress decode(OffsetAndMetadata committed) {
        OffsetMetadataCodec.Decoded decoded = OffsetMetadataCodec.decode(committed.offset(), committed.metadata());
        if (decoded.problem() != null) {
            throw new AssertionError("unreadable commit metadata: " + decoded.problem());
        }
        return decoded.progress();
    }
}
