package io.promptq.producer.loadgen.internal;

import io.promptq.client.JobRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Where a load run sends jobs: one request (HTTP) or one send per job (Kafka). */
public interface Sink extends AutoCloseable {

    /**
     * Sends {@code jobs} as one unit. The future never completes exceptionally: it holds, per job and in
     * order, null when the job was accepted or the reason it was not.
     */
    CompletableFuture<List<String>> send(List<JobRequest> jobs);

    @Override
    void close();
}
