package io.promptq.producer.http.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request body up to a limit, refusing larger ones with 413 before reading them when the
 * {@code Content-Length} says so, and after {@code limit + 1} bytes for chunked bodies, so an oversized body
 * is never held in memory. A body that cannot be read whole is the client's fault, answered without a stack trace
 * and logged at debug: 400 when it ended early (aborted upload, {@code Content-Length} larger than what was sent)
 * or its chunked framing is malformed, 408 when it stalled past the idle timeout or below the minimum data rate.
 */
final class BodyReader {

    private static final Logger log = LoggerFactory.getLogger(BodyReader.class);

    private BodyReader() {}

    static byte[] read(HttpServletRequest request, int limit) {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(declared + " bytes", limit);
        }
        try {
            InputStream in = request.getInputStream();
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw tooLarge("more than " + limit + " bytes", limit);
            }
            return body;
        } catch (IOException | BadMessageException e) {
            throw unreadable(e);
        }
    }

    private static Rejection unreadable(Exception e) {
        log.debug("Request body not read whole: {}", e.toString());
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException
                    || (cause instanceof BadMessageException bad && bad.getCode() == HttpStatus.REQUEST_TIMEOUT_408)) {
                return Rejection.bodyTimeout("the request body stalled: " + cause.getMessage());
            }
        }
        return Rejection.incompleteBody("the request body could not be read whole: " + message(e));
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static Rejection tooLarge(String size, int limit) {
        return Rejection.tooLarge("body", "the request body has " + size + "; the limit is " + limit + " bytes");
    }
}
