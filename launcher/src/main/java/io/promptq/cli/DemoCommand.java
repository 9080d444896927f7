package io.promptq.cli;

import io.promptq.aggregator.AggregatorClient;
import io.promptq.aggregator.JobStatsView;
import io.promptq.cli.internal.DemoSummary;
import io.promptq.cli.internal.LocalStack;
import io.promptq.cli.internal.ResultWatcher;
import io.promptq.cli.internal.StackOptions;
import io.promptq.cli.internal.StatusLine;
import io.promptq.producer.loadgen.LoadGenerator;
import io.promptq.producer.loadgen.LoadOptions;
import io.promptq.producer.loadgen.LoadSummary;
import io.promptq.producer.loadgen.LoadTarget;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job: the whole system on an embedded real Kafka broker and schema registry. Publishes prompt
 * jobs through the producer to workers calling a (simulated, flaky) provider, waits for every terminal
 * outcome and prints the aggregator's summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole system locally (real Kafka + schema registry, no Docker) on N prompt jobs and print the results.")
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stack;

    @Option(names = {"-n", "--jobs"}, defaultValue = "500", description = "Prompt jobs to publish (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--json", description = "Print the final summary as one JSON object.")
    boolean json;

    @Option(names = "--timeout", defaultValue = "5m",
            description = "Give up if the jobs have not all finished by then (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Duration limit = StackOptions.parseDuration("--timeout", timeout);
        java.util.function.Consumer<String> say = line -> {
            if (!json) {
                out.println(line);
                out.flush();
            }
        };
        try (LocalStack local = LocalStack.start(stack.toStackOptions(true, 0, 0, false), Optional.empty(), say);
                ResultWatcher watcher = ResultWatcher.start(local.kafka(), local.topics(), local.retryTiers());
                AggregatorClient aggregator = AggregatorClient.create(local.aggregator().url().toString())) {
            URI producerUrl = URI.create("http://127.0.0.1:" + local.producer().orElseThrow().port());
            say.accept("Console: " + local.aggregator().consoleUrl() + " (while the demo runs)");
            say.accept(String.format(Locale.ROOT,
                    "Publishing %d jobs to %s (provider %s, %d partitions x %d permits per worker) ...",
                    jobs, producerUrl, stack.describeProvider(), stack.partitions, stack.concurrency));

            LoadGenerator generator = LoadGenerator.create(
                    LoadOptions.builder(jobs).model(stack.model).maxInFlight(32).build(), LoadTarget.http(producerUrl));
            AtomicReference<Long> submitted = new AtomicReference<>(0L);
            long start = System.nanoTime();
            long startMillis = System.currentTimeMillis();
            CompletableFuture<LoadSummary> load = new CompletableFuture<>();
            Thread.ofPlatform().name("promptq-demo-load").daemon().start(() -> {
                try {
                    load.complete(generator.run(p -> submitted.set(p.accepted())));
                } catch (Throwable e) {
                    load.completeExceptionally(e);
                }
            });

            ResultWatcher.Snapshot s;
            try (StatusLine status = StatusLine.open("demo", jobs)) {
                while (true) {
                    s = watcher.snapshot();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    status.update(s.finished(), String.format(Locale.ROOT,
                            "submitted %d  succeeded %d  retrying %d  dead-lettered %d  %.1f jobs/s",
                            submitted.get(), s.succeeded(), s.retrying(), s.deadLettered(), s.finished() / Math.max(seconds, 0.001)));
                    if (load.isDone() && s.finished() >= load.join().accepted()) {
                        break;
                    }
                    if (System.nanoTime() - start > limit.toNanos()) {
                        throw new IllegalStateException(String.format(Locale.ROOT,
                                "only %d of %d jobs finished within %s; logs in .promptq/logs/promptq.log",
                                s.finished(), jobs, timeout));
                    }
                    Thread.sleep(200);
                }
            }
            LoadSummary published = load.join();
            if (published.rejected() > 0) {
                throw new IllegalStateException(published.rejected() + " of " + jobs + " jobs were rejected: " + published.rejectedByReason());
            }
            Duration wall = Duration.ofMillis(Math.max(1, s.lastResultAtMillis() - startMillis));

            JobStatsView totals = aggregator.awaitTotals(t -> t.total() >= published.accepted(), Duration.ofSeconds(60));
            DemoSummary summary = DemoSummary.of(totals, wall);
            out.println(json ? summary.toJson() : summary.toText());
            out.flush();
            return summary.jobs() == published.accepted() ? 0 : 1;
        }
    }
}
