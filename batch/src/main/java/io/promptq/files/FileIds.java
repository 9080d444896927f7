package io.promptq.files;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * File ids: {@code file-} and 24 random hex digits for uploads; derived from the batch for a batch's output and error
 * files, so that finalizing a batch twice writes the same files.
 */
public final class FileIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "file-";

    private FileIds() {}

    /** A fresh id for an uploaded file. */
    public static String newId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return PREFIX + HexFormat.of().formatHex(bytes);
    }

    /** The id of batch {@code batchId}'s output file. */
    public static String output(String batchId) {
        return PREFIX + batchId + "-output";
    }

    /** The id of batch {@code batchId}'s error file. */
    public static String errors(String batchId) {
        return PREFIX + batchId + "-errors";
    }

    /** Whether {@code id} has the shape of a file id (a cheap check before a lookup). */
    public static boolean looksValid(String id) {
        if (!id.startsWith(PREFIX) || id.length() > 100) {
            return false;
        }
        for (int i = PREFIX.length(); i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '_' || c == '-')) {
                return false;
            }
        }
        return id.length() > PREFIX.length();
    }
}
