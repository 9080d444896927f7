package io.promptq.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookTargetsTest {

    private final WebhookTargets targets =
            new WebhookTargets(List.of("https://hooks.example.com/promptq", "http://127.0.0.1:8099/"), Map.of());

    @Test
    void allowsUrlsUnderAPrefixComparedOnNormalizedSchemeHostPortAndWholePathSegments() {
        assertThat(targets.refusal("https://hooks.example.com/promptq")).isNull();
        assertThat(targets.refusal("HTTPS://Hooks.Example.COM:443/promptq/acme?x=1")).isNull();
        assertThat(targets.refusal("http://127.0.0.1:8099/anything")).isNull();
        assertThat(targets.refusal("https://hooks.example.com/promptqx")).isNotNull();
        assertThat(targets.refusal("https://hooks.example.com:8443/promptq")).isNotNull();
        assertThat(targets.refusal("http://hooks.example.com/promptq")).isNotNull();
        assertThat(targets.refusal("https://hooks.example.com.evil.io/promptq")).isNotNull();
        assertThat(targets.refusal("http://127.0.0.1:8098/")).isNotNull();
    }

    @Test
    void refusesUserInfoOtherSchemesAndPathsThatClimbOut() {
        assertThat(targets.refusal("https://user:pw@hooks.example.com/promptq")).contains("user-info");
        assertThat(targets.refusal("ftp://hooks.example.com/promptq")).contains("http");
        assertThat(targets.refusal("https://hooks.example.com/promptq/../admin")).isNotNull();
        assertThat(targets.refusal("https://hooks.example.com/promptq/%2e%2e/admin")).isNotNull();
        assertThat(targets.refusal("not a url")).isNotNull();
    }

    @Test
    void anEmptyAllowListTurnsWebhooksOff() {
        WebhookTargets off = WebhookTargets.from(ConfigSource.empty());
        assertThat(off.enabled()).isFalse();
        assertThat(off.refusal("https://hooks.example.com/promptq")).contains("webhooks are off");
    }

    @Test
    void aTenantDefaultIsUsedWhenAJobNamesNoCallbackAndMustItselfBeAllowed() {
        WebhookTargets withDefaults = WebhookTargets.from(ConfigSource.of(Map.of(
                "PROMPTQ_WEBHOOK_ALLOWED_URLS", "https://hooks.example.com/",
                "PROMPTQ_WEBHOOK_TENANT_URLS", "acme=https://hooks.example.com/acme, beta=https://hooks.example.com/b")));
        assertThat(withDefaults.callbackFor("acme", null)).isEqualTo("https://hooks.example.com/acme");
        assertThat(withDefaults.callbackFor("acme", "https://hooks.example.com/x")).isEqualTo("https://hooks.example.com/x");
        assertThat(withDefaults.callbackFor("other", null)).isNull();
        assertThatThrownBy(() -> new WebhookTargets(List.of("https://hooks.example.com/"),
                Map.of("acme", "https://elsewhere.example.com/")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROMPTQ_WEBHOOK_TENANT_URLS");
        assertThatThrownBy(() -> new WebhookTargets(List.of("file:///etc"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROMPTQ_WEBHOOK_ALLOWED_URLS");
    }
}
