package io.promptq.cli.internal;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Runs one service's own {@code main} in this JVM, for {@code ./promptq worker|producer|aggregator}: the command and
 * {@code java -jar <service>.jar} are then one program (same environment keys, signal handling and exit statuses
 * 0/1/2/3), because the main owns start-up and calls {@code System.exit} itself. Before it runs, logging is switched
 * from the launcher's shared file to stdout, as the service's jar and image log.
 */
public final class ServiceProcess {

    /** A service's {@code main(String[])}. */
    @FunctionalInterface
    public interface Main {
        void main(String[] args) throws Exception;
    }

    private static final String SERVICE_LOGGING = "logback-service.xml";

    private ServiceProcess() {}

    /**
     * Logs to stdout, then runs {@code main} with {@code args} passed through untouched. Returns only if the main
     * returns without exiting the JVM (it never does after a start), with status 0.
     */
    public static int run(Main main, List<String> args) throws Exception {
        logToStdout();
        main.main(args.toArray(String[]::new));
        return 0;
    }

    private static void logToStdout() throws JoranException {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        URL config = ServiceProcess.class.getClassLoader().getResource(SERVICE_LOGGING);
        if (config == null) {
            return;
        }
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);
    }
}
