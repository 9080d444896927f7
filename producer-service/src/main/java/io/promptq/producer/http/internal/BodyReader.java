package io.promptq.producer.http.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body up to a limit, refusing larger ones with 413 before reading them when the
 * {@code Content-Length} says so, and after {@code limit + 1} bytes for chunked bodies, so an oversized body
 * is never held in memory.
 */
final class BodyReader {

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
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }

    private static Rejection tooLarge(String size, int limit) {
        return Rejection.tooLarge("body", "the request body has " + size + "; the limit is " + limit + " bytes");
    }
}
