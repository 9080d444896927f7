package io.promptq.producer.loadgen.internal;

import io.promptq.client.JobRequest;
import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Sends jobs straight to Kafka through a {@link PromptqClient}. */
public final class ClientSink implements Sink {

    private final PromptqClient client;
    private final boolean owned;

    /** @param owned whether {@link #close()} closes the client */
    public ClientSink(PromptqClient client, boolean owned) {
        this.client = client;
        this.owned = owned;
    }

    @Override
    public CompletableFuture<List<String>> send(List<JobRequest> jobs) {
        List<CompletableFuture<String>> outcomes = new ArrayList<>(jobs.size());
        for (JobRequest job : jobs) {
            outcomes.add(client.submit(job).handle((receipt, error) -> error == null ? null : reason(error)));
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(done -> outcomes.stream().map(CompletableFuture::join).toList());
    }

    private static String reason(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e instanceof SubmitException submit ? submit.reason().name().toLowerCase(Locale.ROOT) : "failed";
    }

    @Override
    public void close() {
        if (owned) {
            client.close();
        }
    }
}
