package io.promptq.worker.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.llm.LlmRequest;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.worker.TestJobs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobRequestsTest {

    @Test
    void messagesKeepTheirOrderWithLowerCaseRoles() {
        LlmRequest request = JobRequests.toRequest(TestJobs.job("j1", Instant.EPOCH), Duration.ofSeconds(5));

        assertThat(request.messages()).extracting(LlmRequest.Message::role).containsExactly("system", "user");
        assertThat(request.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(request.extra()).isEmpty();
    }

    @Test
    void topPSeedAndStopSequencesReachTheProviderAsExtras() {
        PromptJob job = TestJobs.job("j2", Instant.EPOCH);
        job.setParameters(GenerationParameters.newBuilder(job.getParameters())
                .setTopP(0.9).setSeed(7L).setStop(List.of("\n\n", "END")).setExtra(Map.of("user", "u-1")).build());

        LlmRequest request = JobRequests.toRequest(job, Duration.ofSeconds(5));

        assertThat(request.extra()).containsEntry(JobRequests.TOP_P, "0.9")
                .containsEntry(JobRequests.SEED, "7")
                .containsEntry(JobRequests.STOP, "[\"\\n\\n\",\"END\"]")
                .containsEntry("user", "u-1");
    }
}
