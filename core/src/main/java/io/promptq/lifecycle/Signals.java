package io.promptq.lifecycle;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and SIGINT into a callback instead of the JVM's default (run shutdown hooks, exit 143), so
 * that a service's {@code main} can close it and exit with status 0 after a clean shutdown (one convention for every
 * service). Uses {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}) reflectively, and reports false where it is not available.
 */
public final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    /** Installs {@code action} for SIGTERM and SIGINT; false if the platform does not allow it. */
    public static boolean onTerminate(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method getName = signalClass.getMethod("getName");
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            log.info("Received SIG{}", getName.invoke(args[0]));
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "Signals.handler";
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            for (String name : new String[] {"TERM", "INT"}) {
                handle.invoke(null, signalClass.getConstructor(String.class).newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.debug("Cannot install signal handlers: {}", e.toString());
            return false;
        }
    }
}
