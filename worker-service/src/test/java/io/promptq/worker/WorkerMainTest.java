package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The worker process's exit status after it stopped, and its signal handling. */
class WorkerMainTest {

    @Test
    void cleanStopExitsZero() {
        assertThat(WorkerMain.exitStatus(false, 0)).isZero();
    }

    @Test
    void stopThatLeftFinishedWorkUncommittedExitsThree() {
        assertThat(WorkerMain.exitStatus(false, 431)).isEqualTo(WorkerMain.EXIT_UNCOMMITTED).isEqualTo(3);
    }

    @Test
    void failedWorkerExitsOne() {
        assertThat(WorkerMain.exitStatus(true, 431)).isEqualTo(1);
    }

    @Test
    void signalsAreHandledByCoresOneHelperNotAWorkerCopy() {
        assertThatThrownBy(() -> Class.forName("io.promptq.worker.Signals")).isInstanceOf(ClassNotFoundException.class);
        assertThat(io.promptq.lifecycle.Signals.class).isPublic();
    }
}
