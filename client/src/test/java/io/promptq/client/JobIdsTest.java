package io.promptq.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {

    @Test
    void sameTenantAndKeyNameTheSameJob() {
        assertThat(JobIds.of("acme", "order-42")).isEqualTo(JobIds.of("acme", "order-42"));
    }

    @Test
    void derivedIdsAreVersion5IetfUuids() {
        UUID id = JobIds.derive("acme", "order-42");

        assertThat(id.version()).isEqualTo(5);
        assertThat(id.variant()).isEqualTo(2);
    }

    @Test
    void tenantsDoNotShareKeys() {
        assertThat(JobIds.derive("acme", "k")).isNotEqualTo(JobIds.derive("globex", "k"));
        assertThat(JobIds.derive("ab", "c")).isNotEqualTo(JobIds.derive("a", "bc"));
    }

    @Test
    void withoutKeyEveryJobGetsAFreshRandomId() {
        String first = JobIds.of("acme", null);

        assertThat(UUID.fromString(first).version()).isEqualTo(4);
        assertThat(JobIds.of("acme", null)).isNotEqualTo(first);
    }
}
