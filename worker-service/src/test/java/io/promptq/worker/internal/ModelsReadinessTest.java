package io.promptq.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.http.HealthCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelsReadinessTest {

    @Test
    void readinessIsDownNamingEachModelTheProviderRefuses() {
        HealthCheck.Result down = WorkerRuntime.modelsCheck(Map.of("gpt-x", "provider answered 401 (invalid api key)"));

        assertThat(down.up()).isFalse();
        assertThat(down.detail()).isEqualTo("model gpt-x: provider answered 401 (invalid api key)");
        assertThat(WorkerRuntime.modelsCheck(Map.of()).up()).isTrue();
    }
}
