package io.promptq.cli;

import io.promptq.cli.internal.LocalStack;
import io.promptq.cli.internal.StackOptions;
import io.promptq.worker.WorkerService;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The local stack left running until Ctrl-C: producer API, workers, aggregator API and its console. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the local stack (real Kafka + registry, producer API, workers, aggregator API) until Ctrl-C.")
public final class UpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stack;

    @Option(names = "--producer-port", defaultValue = "8080", description = "Producer API port (default: ${DEFAULT-VALUE}).")
    int producerPort;

    @Option(names = "--aggregator-port", defaultValue = "8083", description = "Aggregator API port (default: ${DEFAULT-VALUE}).")
    int aggregatorPort;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        LocalStack local = LocalStack.start(stack.toStackOptions(true, producerPort, aggregatorPort, true), Optional.empty(), line -> {
            out.println(line);
            out.flush();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("\nStopping promptq ...");
            out.flush();
            local.close();
            stopped.countDown();
        }, "promptq-up-stop"));
        String producer = "http://127.0.0.1:" + local.producer().orElseThrow().port();
        String aggregator = local.aggregator().url().toString();
        out.println();
        out.println("promptq is up. Ctrl-C stops everything and removes its data.");
        out.println("  Kafka bootstrap    " + local.cluster().bootstrapServers());
        out.println("  Schema registry    " + local.cluster().schemaRegistryUrl());
        out.println("  Producer API       " + producer + "   (metrics: " + producer + "/metrics)");
        out.println("  Aggregator API     " + aggregator + "   (metrics: " + aggregator + "/metrics)");
        out.println("  Console            " + local.aggregator().consoleUrl());
        for (WorkerService worker : local.workers()) {
            out.println("  Worker " + worker.workerId() + "    http://127.0.0.1:" + worker.httpPort() + "/health/ready");
        }
        out.println();
        out.println("Submit a job:");
        out.println("  curl -s -X POST " + producer + "/v1/jobs -H 'Content-Type: application/json' \\");
        out.println("    -d '{\"tenant\":\"acme\",\"model\":\"" + stack.model
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"maxTokens\":64}'");
        out.println("Read the stats:");
        out.println("  curl -s " + aggregator + "/v1/stats/totals      or      ./promptq stats");
        out.flush();
        stopped.await();
        return 0;
    }
}
