package io.promptq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./promptq dlq ...}: the dead-letter topic through the aggregator's console API. */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Dead letters through an aggregator's console API.",
        subcommands = {DlqRedriveCommand.class, CommandLine.HelpCommand.class})
public final class DlqCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
