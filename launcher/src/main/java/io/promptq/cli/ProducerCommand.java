package io.promptq.cli;

import io.promptq.cli.internal.ServiceProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code ./promptq producer}: the producer service as its own process, against any cluster, configured only by the
 * environment ({@code PROMPTQ_*}, as its jar and image). Delegates to {@link io.promptq.producer.ProducerMain}, so start-up, SIGTERM
 * handling and exit statuses are that main's; arguments are passed to it unparsed.
 */
@Command(name = "producer", mixinStandardHelpOptions = true, description = {"Run the producer service (HTTP job intake) in the foreground.",
        "Configured by PROMPTQ_* environment variables (README, Configuration); the same program as the producer jar."})
public final class ProducerCommand implements Callable<Integer> {

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return ServiceProcess.run(io.promptq.producer.ProducerMain::main, args);
    }
}
