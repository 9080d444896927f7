package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

/** Publish failures sorted by cause: refused for good, a fault of the system, or transient. */
class SendFailuresTest {

    @Test
    void tooLargeAndNeverEncodableRecordsAreRefusedForGood() {
        assertThat(SendFailures.refused(new RecordTooLargeException("big"))).isTrue();
        assertThat(SendFailures.refused(new ExecutionException(new SerializationException("cannot encode")))).isTrue();
        assertThat(SendFailures.systemFault(new RecordTooLargeException("big"))).isFalse();
    }

    @Test
    void authorizationAuthenticationAndAClosedProducerAreSystemFaultsNotRefusals() {
        List<Exception> system = List.of(new TopicAuthorizationException(Set.of("results")),
                new TransactionalIdAuthorizationException("denied"), new ClusterAuthorizationException("denied"),
                new SaslAuthenticationException("bad credentials"),
                new KafkaException(new TopicAuthorizationException(Set.of("results"))),
                new IllegalStateException("Cannot perform operation after producer has been closed"));
        for (Exception e : system) {
            assertThat(SendFailures.systemFault(e)).as(e.toString()).isTrue();
            assertThat(SendFailures.refused(e)).as(e.toString()).isFalse();
        }
    }

    @Test
    void fencingAndTransientErrorsAreNeitherSystemFaultsNorRefusals() {
        for (Exception e : List.of(new ProducerFencedException("fenced"), new TimeoutException("slow"),
                new NotEnoughReplicasException("isr"))) {
            assertThat(SendFailures.systemFault(e)).as(e.toString()).isFalse();
            assertThat(SendFailures.refused(e)).as(e.toString()).isFalse();
        }
    }
}
