package io.promptq.cli;

import io.promptq.cli.internal.ServiceProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code ./promptq worker}: the worker service as its own process, against any cluster, configured only by the
 * environment ({@code PROMPTQ_*}, as its jar and image). Delegates to {@link io.promptq.worker.WorkerMain}, so start-up, SIGTERM
 * handling and exit statuses are that main's; arguments are passed to it unparsed.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, description = {"Run one worker replica in the foreground: consumes the jobs topic in the group PROMPTQ_WORKER_GROUP_ID; start it again for more replicas.",
        "Configured by PROMPTQ_* environment variables (README, Configuration); the same program as the worker jar."})
public final class WorkerCommand implements Callable<Integer> {

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return ServiceProcess.run(io.promptq.worker.WorkerMain::main, args);
    }
}
