package io.promptq.lifecycle;

import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes resources during shutdown, where a failing {@code close()} is reported and then ignored so that the
 * resources after it still get closed. The one {@code closeQuietly} of promptq.
 */
public final class Closeables {

    private static final Logger log = LoggerFactory.getLogger(Closeables.class);

    private Closeables() {
    }

    /**
     * Closes {@code resource}, logging a failure at WARN instead of throwing it.
     *
     * @param resource what to close; {@code null} (never opened) is skipped
     */
    public static void closeQuietly(@Nullable AutoCloseable resource) {
        closeQuietly(resource, (failed, e) ->
                log.warn("Closing {} failed: {}", failed.getClass().getSimpleName(), e.toString()));
    }

    /**
     * Closes {@code resource}, handing a failure to {@code onFailure} instead of throwing it (the launcher
     * prints it to the terminal, a service logs it).
     *
     * @param resource  what to close; {@code null} (never opened) is skipped
     * @param onFailure receives the resource and the exception its {@code close()} threw
     */
    public static void closeQuietly(@Nullable AutoCloseable resource,
                                    BiConsumer<? super AutoCloseable, ? super Exception> onFailure) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            onFailure.accept(resource, e);
        }
    }
}
