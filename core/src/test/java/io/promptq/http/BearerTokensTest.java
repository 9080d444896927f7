package io.promptq.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import org.junit.jupiter.api.Test;

class BearerTokensTest {

    @Test
    void tenantTokensMapEachTokenToItsTenant() {
        BearerTokens tokens = BearerTokens.parseTenants("KEY", "t1=acme, t2=globex");

        assertThat(tokens.enabled()).isTrue();
        assertThat(tokens.principalOf("t1")).contains("acme");
        assertThat(tokens.principalOf("t2")).contains("globex");
        assertThat(tokens.principalOf("t3")).isEmpty();
        assertThat(tokens.principalOf(null)).isEmpty();
    }

    @Test
    void plainListsStandForReaders() {
        BearerTokens tokens = BearerTokens.parseList("KEY", "r1, r2,");

        assertThat(tokens.size()).isEqualTo(2);
        assertThat(tokens.principalOf("r2")).contains(BearerTokens.READER);
        assertThat(BearerTokens.parseList("KEY", " ").enabled()).isFalse();
    }

    @Test
    void badListsNameTheirKeyButNeverTheTokens() {
        assertThatThrownBy(() -> BearerTokens.parseTenants("PROMPTQ_X", "s3cr3t"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("PROMPTQ_X"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        assertThatThrownBy(() -> BearerTokens.parseList("PROMPTQ_Y", "s3cr3t=acme"))
                .satisfies(e -> assertThat(e.getMessage()).contains("PROMPTQ_Y").doesNotContain("s3cr3t"));
        assertThatThrownBy(() -> BearerTokens.parseList("PROMPTQ_Y", "s3cr3t,s3cr3t"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
        assertThat(BearerTokens.parseTenants("K", "s3cr3t=acme").toString()).doesNotContain("s3cr3t");
    }

    @Test
    void onlyTheBearerSchemeCarriesAToken() {
        assertThat(BearerTokens.bearerToken("Bearer abc ")).contains("abc");
        assertThat(BearerTokens.bearerToken("bearer abc")).contains("abc");
        assertThat(BearerTokens.bearerToken("Basic YWJj")).isEmpty();
        assertThat(BearerTokens.bearerToken("Bearer ")).isEmpty();
        assertThat(BearerTokens.bearerToken(null)).isEmpty();
    }

    @Test
    void andAcceptsTheTokensOfBothSetsEachWithItsOwnPrincipal() {
        BearerTokens readers = BearerTokens.parseList("READ", "r1");
        BearerTokens operators = BearerTokens.parseTenants("OPS", "o1=alice");
        BearerTokens both = readers.and(operators);
        assertThat(both.principalOf("r1")).contains(BearerTokens.READER);
        assertThat(both.principalOf("o1")).contains("alice");
        assertThat(both.principalOf("other")).isEmpty();
        assertThat(readers.principalOf("o1")).as("the original set is unchanged").isEmpty();
        assertThat(readers.and(BearerTokens.none())).isSameAs(readers);
    }
}
