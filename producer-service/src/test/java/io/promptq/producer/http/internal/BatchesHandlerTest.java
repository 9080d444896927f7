package io.promptq.producer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchesHandlerTest {

    @Test
    void completionWindowsAreWrittenAsTheApiWritesThem() {
        assertThat(BatchesHandler.format(Duration.ofHours(24))).isEqualTo("24h");
        assertThat(BatchesHandler.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(BatchesHandler.format(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(BatchesHandler.format(Duration.ofDays(2))).isEqualTo("48h");
    }
}
