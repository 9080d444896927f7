package io.promptq.local.internal;

import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces Kafka's {@link Exit} exit and halt procedures so that a fatal fault inside an in-process
 * broker cannot terminate the JVM that hosts it (a test run, the launcher). The request is logged at
 * ERROR and turned into an exception on the calling Kafka thread instead.
 *
 * <p>The procedures are JVM-wide; they are installed once and never reset, because brokers may still
 * be shutting down on other threads.
 */
public final class ExitGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ExitGuard.class);
    private static volatile boolean installed;

    private ExitGuard() {
    }

    /** Installs the guard; idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
        Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
        installed = true;
    }

    private static void refuse(String kind, int status, String message) {
        String text = "Kafka requested JVM " + kind + "(" + status + ")" + (message == null ? "" : ": " + message)
                + " - refused, the in-process broker is not allowed to stop the JVM";
        LOG.error(text);
        throw new IllegalStateException(text);
    }
}
