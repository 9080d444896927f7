package io.promptq.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloseablesTest {

    @Test
    void failingCloseIsHandedToTheHandlerInsteadOfThrown() {
        IllegalStateException boom = new IllegalStateException("boom");
        AutoCloseable failing = () -> {
            throw boom;
        };
        List<Object> reported = new ArrayList<>();

        Closeables.closeQuietly(failing, (resource, e) -> {
            reported.add(resource);
            reported.add(e);
        });

        assertThat(reported).containsExactly(failing, boom);
    }

    @Test
    void successfulCloseClosesAndReportsNothing() {
        List<String> events = new ArrayList<>();

        Closeables.closeQuietly(() -> events.add("closed"), (resource, e) -> events.add("failed"));

        assertThat(events).containsExactly("closed");
    }

    @Test
    void nullResourceIsSkipped() {
        List<String> events = new ArrayList<>();

        Closeables.closeQuietly(null, (resource, e) -> events.add("failed"));
        Closeables.closeQuietly(null);

        assertThat(events).isEmpty();
    }

    @Test
    void defaultHandlerSwallowsTheFailure() {
        Closeables.closeQuietly(() -> {
            throw new Exception("checked");
        });
    }
}
