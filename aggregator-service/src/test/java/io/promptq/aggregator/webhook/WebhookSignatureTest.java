package io.promptq.aggregator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    /** The example of the Standard Webhooks specification (also Svix's documented test vector). */
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long TIMESTAMP = 1614265330;
    private static final String BODY = "{\"test\": 2432232314}";

    @Test
    void signsLikeTheStandardWebhooksReferenceExample() {
        assertThat(WebhookSignature.of(SECRET).sign(ID, TIMESTAMP, BODY.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void verifiesOneOfSeveralSignaturesAndRejectsAChangedBody() {
        WebhookSignature signature = WebhookSignature.of(SECRET);
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        String header = "v1,bm90LXRoaXMtb25l " + signature.sign(ID, TIMESTAMP, body);

        assertThat(signature.verify(ID, TIMESTAMP, body, header)).isTrue();
        assertThat(signature.verify(ID, TIMESTAMP, "{\"test\": 1}".getBytes(StandardCharsets.UTF_8), header)).isFalse();
        assertThat(signature.verify(ID, TIMESTAMP + 1, body, header)).isFalse();
    }

    @Test
    void theSecretIsRequiredWhenWebhooksAreOnAndNeverShown() {
        ConfigSource on = ConfigSource.of(Map.of("PROMPTQ_WEBHOOK_ALLOWED_URLS", "https://hooks.example.com/"));
        assertThatThrownBy(() -> WebhookConfig.from(on)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("PROMPTQ_WEBHOOK_SECRET");
        assertThatThrownBy(() -> WebhookConfig.from(on.with("PROMPTQ_WEBHOOK_SECRET", "whsec_c2hvcnQ=")))
                .isInstanceOf(ConfigException.class).hasMessageNotContaining("c2hvcnQ");
        WebhookConfig config = WebhookConfig.from(on.with("PROMPTQ_WEBHOOK_SECRET", SECRET));
        assertThat(config.enabled()).isTrue();
        assertThat(config.maxAttempts()).isEqualTo(WebhookConfig.DEFAULT_MAX_ATTEMPTS);
        assertThat(config.toString()).doesNotContain("MfKQ9r8");
        assertThat(WebhookConfig.from(ConfigSource.empty()).enabled()).isFalse();
    }
}
