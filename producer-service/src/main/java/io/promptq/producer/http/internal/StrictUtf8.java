package io.promptq.producer.http.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import io.promptq.producer.http.JobJson;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Refuses request bodies that are not well-formed UTF-8 (overlong forms, encoded surrogates, code points above
 * U+10FFFF, truncated sequences), which Jackson would otherwise decode silently into other characters. The
 * refusal names the JSON field holding the first bad byte, such as {@code messages[0].content}.
 */
final class StrictUtf8 {

    private StrictUtf8() {}

    /**
     * Checks that {@code json} is well-formed UTF-8.
     *
     * @throws Rejection 400 naming the field that holds the first malformed byte ({@code body} outside any field)
     */
    static void check(byte[] json) {
        int at = malformedAt(json);
        if (at >= 0) {
            throw Rejection.invalidField(fieldAt(json, at), String.format(
                    "is not well-formed UTF-8 (byte 0x%02x at offset %d: overlong, surrogate or truncated sequence)",
                    json[at] & 0xff, at));
        }
    }

    /** The offset of the first byte that starts or breaks an ill-formed sequence (Unicode table 3-7), or -1. */
    static int malformedAt(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                i++;
                continue;
            }
            int length;
            int low = 0x80;
            int high = 0xbf;
            if (b >= 0xc2 && b <= 0xdf) {
                length = 2;
            } else if (b >= 0xe0 && b <= 0xef) {
                length = 3;
                low = b == 0xe0 ? 0xa0 : 0x80;
                high = b == 0xed ? 0x9f : 0xbf;
            } else if (b >= 0xf0 && b <= 0xf4) {
                length = 4;
                low = b == 0xf0 ? 0x90 : 0x80;
                high = b == 0xf4 ? 0x8f : 0xbf;
            } else {
                return i;
            }
            if (i + length > n) {
                return i;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < low || second > high) {
                return i;
            }
            for (int k = 2; k < length; k++) {
                int next = bytes[i + k] & 0xff;
                if (next < 0x80 || next > 0xbf) {
                    return i;
                }
            }
            i += length;
        }
        return -1;
    }

    /** The path ({@code messages[0].content}, {@code [2].model} in an array) of the JSON token at {@code offset}. */
    private static String fieldAt(byte[] json, int offset) {
        String path = "";
        try (JsonParser parser = JobJson.mapper().getFactory().createParser(json)) {
            while (parser.nextToken() != null && parser.currentTokenLocation().getByteOffset() <= offset) {
                path = path(parser.getParsingContext());
            }
        } catch (IOException e) {
            // the bad bytes stop the parser; the path found so far is the closest one
        }
        return path.isEmpty() ? "body" : path;
    }

    private static String path(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push("[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                parts.push("." + c.getCurrentName());
            }
        }
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }
}
