package io.promptq.aggregator.batch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.batch.BatchIds;
import io.promptq.batch.BatchStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class BatchProcessorInitTest {

    @Test
    void aTaskAssignedHereHandsTheBatchesItFindsFinalizingToTheFinalizer() {
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        KeyValueStore<String, byte[]> states = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("states"),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        var lines = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("lines"), Serdes.Bytes(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        var index = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("index"), Serdes.Bytes(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        states.init(context.getStateStoreContext(), states);
        lines.init(context.getStateStoreContext(), lines);
        index.init(context.getStateStoreContext(), index);
        context.addStateStore(states);
        context.addStateStore(lines);
        context.addStateStore(index);
        String finalizing = BatchIds.newId(Instant.now());
        String inProgress = BatchIds.newId(Instant.now());
        states.put(finalizing, state(BatchStatus.FINALIZING).encode());
        states.put(inProgress, state(BatchStatus.IN_PROGRESS).encode());

        List<String> handedOver = new ArrayList<>();
        new BatchProcessor("states", "lines", "index", Duration.ofDays(30), Duration.ofMinutes(1), handedOver::add)
                .init(context);

        assertThat(handedOver).containsExactly(finalizing);
    }

    private static BatchState state(BatchStatus status) {
        BatchState state = new BatchState();
        state.created = true;
        state.tenant = "acme";
        state.status = status;
        state.createdAt = 0;
        state.expiresAt = 1;
        state.total = 1;
        return state;
    }
}
