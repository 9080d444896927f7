package io.promptq.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.client.SubmitException;
import io.promptq.client.SubmitException.Reason;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Which send failures are definite (nothing written: 503, safe to resubmit) and which leave the outcome open (the
 * record left: retry only with the same idempotency key).
 */
class SendFailureClassificationTest {

    private static final String JOB = "6f1c2a5e-0000-4000-8000-000000000001";

    @Test
    void failuresThrownBySendBeforeTheRecordLeftAreDefinite() {
        assertThat(KafkaPromptqClient.classify(new TimeoutException("Topic not present in metadata after 2000 ms"), JOB)
                .reason()).isEqualTo(Reason.UNAVAILABLE);
        assertThat(KafkaPromptqClient.classify(new BufferExhaustedException("buffer full"), JOB).reason())
                .isEqualTo(Reason.UNAVAILABLE);
        assertThat(KafkaPromptqClient.classify(new SerializationException("bad"), JOB).reason()).isEqualTo(Reason.FAILED);
    }

    @Test
    void aTimeoutOrDisconnectAfterTheRecordWasSentLeavesTheOutcomeUnknownAndNamesTheJob() {
        for (Throwable error : new Throwable[] {
                new TimeoutException("Expiring 1 record(s): 2000 ms has passed since batch creation"),
                new CompletionException(new java.util.concurrent.TimeoutException()),
                new NotEnoughReplicasAfterAppendException("written to the leader only"),
                new NetworkException("disconnected while in flight")}) {
            SubmitException classified = KafkaPromptqClient.classifySent(error, JOB);

            assertThat(classified.reason()).as(error.toString()).isEqualTo(Reason.OUTCOME_UNKNOWN);
            assertThat(classified.jobId()).isEqualTo(JOB);
            assertThat(classified.retriable()).isFalse();
        }
    }

    @Test
    void aBrokerRefusalAfterSendIsStillDefinite() {
        assertThat(KafkaPromptqClient.classifySent(new NotEnoughReplicasException("refused before append"), JOB).reason())
                .isEqualTo(Reason.UNAVAILABLE);
        assertThat(KafkaPromptqClient.classifySent(new RecordTooLargeException("too large"), JOB).reason())
                .isEqualTo(Reason.TOO_LARGE);
    }
}
