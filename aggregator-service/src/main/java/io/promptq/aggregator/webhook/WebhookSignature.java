package io.promptq.aggregator.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook bodies the Standard Webhooks way (standardwebhooks.com): the signed content is {@code id + "." +
 * timestamp + "." + body}, the signature {@code v1,} followed by the base64 of its HMAC-SHA256 under the secret's
 * bytes (the base64 after {@code whsec_}). Receivers verify with any Standard Webhooks library or the same few lines
 * (see the README). Immutable and thread-safe; each call takes its own {@link Mac}.
 */
public final class WebhookSignature {

    /** Header naming the message: the job id, the same on every attempt, so receivers deduplicate by it. */
    public static final String ID_HEADER = "webhook-id";
    /** Header with the attempt's send time in epoch seconds. */
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    /** Header with {@code v1,<base64 signature>}. */
    public static final String SIGNATURE_HEADER = "webhook-signature";
    /** The optional prefix of secrets. */
    public static final String SECRET_PREFIX = "whsec_";
    private static final int MIN_SECRET_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    private WebhookSignature(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /**
     * A signer with {@code secret}.
     *
     * @throws IllegalArgumentException if it is not (optionally {@code whsec_}-prefixed) base64 of at least 16 bytes;
     *     the message never shows the secret
     */
    public static WebhookSignature of(String secret) {
        if (!isValidSecret(secret)) {
            throw new IllegalArgumentException("the webhook secret must be whsec_ followed by the base64 of at least "
                    + MIN_SECRET_BYTES + " bytes");
        }
        return new WebhookSignature(decode(secret));
    }

    /** Whether {@code secret} is (optionally {@code whsec_}-prefixed) base64 of at least 16 bytes. */
    public static boolean isValidSecret(String secret) {
        try {
            return decode(secret).length >= MIN_SECRET_BYTES;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] decode(String secret) {
        Objects.requireNonNull(secret, "secret");
        String base64 = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        return Base64.getDecoder().decode(base64);
    }

    /** The {@value #SIGNATURE_HEADER} value of {@code body} sent as message {@code id} at {@code epochSeconds}. */
    public String sign(String id, long epochSeconds, byte[] body) {
        Mac mac;
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
        mac.update((id + "." + epochSeconds + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /**
     * Whether {@code signatureHeader} (space-separated {@code v1,<sig>} entries) holds the signature of {@code body}
     * as message {@code id} at {@code epochSeconds}; compared in constant time. Receivers should also refuse
     * timestamps far from their clock (replays).
     */
    public boolean verify(String id, long epochSeconds, byte[] body, String signatureHeader) {
        byte[] expected = sign(id, epochSeconds, body).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String candidate : signatureHeader.trim().split(" +")) {
            match |= MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII));
        }
        return match;
    }

    @Override
    public String toString() {
        return "WebhookSignature[HmacSHA256, key hidden]";
    }
}
