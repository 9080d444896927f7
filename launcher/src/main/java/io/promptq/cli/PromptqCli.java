package io.promptq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./promptq}. */
@Command(
        name = "promptq",
        mixinStandardHelpOptions = true,
        versionProvider = PromptqCli.Version.class,
        description = "Kafka-based job processing for LLM prompt jobs.",
        subcommands = {
            DemoCommand.class,
            UpCommand.class,
            ClusterCommand.class,
            SubmitCommand.class,
            StatsCommand.class,
            DlqCommand.class,
            BatchCommand.class,
            BenchCommand.class,
            WorkerCommand.class,
            ProducerCommand.class,
            AggregatorCommand.class,
            ChaosCommand.class,
            CommandLine.HelpCommand.class
        })
public final class PromptqCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (exposed for tests). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PromptqCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("promptq: " + describe(e)));
            return 1;
        });
        return cli;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PromptqCli.class.getPackage().getImplementationVersion();
            return new String[] {"promptq " + (version == null ? "development build" : version)};
        }
    }
}
