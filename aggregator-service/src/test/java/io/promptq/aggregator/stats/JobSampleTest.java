package io.promptq.aggregator.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.TokenUsage;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobSampleTest {

    private static JobResult.Builder result() {
        return JobResult.newBuilder().setJobId("j").setTenant("t").setModel("m").setStatus(JobStatus.SUCCEEDED)
                .setUsage(new TokenUsage(3L, 4L)).setAttempts(1).setQueueWaitMs(0).setProviderMs(0).setEndToEndMs(10)
                .setSubmittedAt(Instant.EPOCH).setCompletedAt(Instant.EPOCH).setWorkerId("w");
    }

    @Test
    void everyAttemptIsOneProviderSample() {
        JobSample sample = JobSample.of(result().setAttempts(3).setAttemptDurationsMs(List.of(100L, 200L, 300L))
                .setProviderMs(600).build());

        assertThat(sample.providerMs()).containsExactly(100, 200, 300);
        assertThat(sample.attempts()).isEqualTo(3);
        assertThat(sample.promptTokens()).isEqualTo(3);
        assertThat(sample.completionTokens()).isEqualTo(4);
    }

    @Test
    void providerTimeIsTheOnlySampleWhenAttemptDurationsAreMissing() {
        assertThat(JobSample.of(result().setProviderMs(50).build()).providerMs()).containsExactly(50);
        assertThat(JobSample.of(result().setProviderMs(0).build()).providerMs()).isEmpty();
    }

    @Test
    void serdeRoundTripKeepsEveryField() {
        JobSample sample = new JobSample(JobStatus.DEAD_LETTERED, 2, new long[] {7, 8}, 99, 5, 6);

        byte[] bytes = JobSample.serde().serializer().serialize("t", sample);
        assertThat(JobSample.serde().deserializer().deserialize("t", bytes)).isEqualTo(sample);
    }

    @Test
    void aSupersedingSampleKeepsWhatItReplacesThroughTheSerde() {
        JobSample sample = new JobSample(JobStatus.SUCCEEDED, 1, new long[] {7}, 99, 5, 6)
                .superseding(JobStatus.DEAD_LETTERED);

        byte[] bytes = JobSample.serde().serializer().serialize("t", sample);
        JobSample read = JobSample.serde().deserializer().deserialize("t", bytes);

        assertThat(read).isEqualTo(sample);
        assertThat(read.supersedes()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(read.asEvent().supersedes()).isNull();
    }

    @Test
    void aFirstTimeSampleKeepsTheVersionOneFormat() {
        JobSample sample = new JobSample(JobStatus.SUCCEEDED, 1, new long[] {7}, 99, 5, 6);

        assertThat(JobSample.serde().serializer().serialize("t", sample)[0]).isEqualTo((byte) 1);
    }

    @Test
    void theSampleOfAnUndecodableRecordRoundTripsThroughTheRepartitionSerde() {
        byte[] bytes = JobSample.serde().serializer().serialize("t", JobSample.undecodableRecord());

        assertThat(JobSample.serde().deserializer().deserialize("t", bytes)).isEqualTo(JobSample.undecodableRecord());
        assertThat(bytes).hasSize(1);
    }
}
