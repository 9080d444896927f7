package io.promptq.local.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a few blocking tasks (start or stop a server) at the same time on named platform threads and
 * waits for all of them. Brokers of one cluster must start together (each waits for the controller
 * quorum) and stop together (stopping one by one can hang once the quorum is lost).
 */
public final class SimultaneousTasks {

    private SimultaneousTasks() {
    }

    /** A task that may throw any exception. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    /**
     * Runs every task on its own thread and waits up to {@code timeoutMillis} for all of them.
     *
     * @throws Exception the first failure, with the other failures attached as suppressed
     */
    public static void runAll(String threadPrefix, List<Task> tasks, long timeoutMillis) throws Exception {
        if (tasks.size() == 1) {
            tasks.get(0).run();
            return;
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofPlatform().name(threadPrefix, 0).daemon(true).factory());
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (Task task : tasks) {
                Callable<Void> callable = () -> {
                    task.run();
                    return null;
                };
                futures.add(executor.submit(callable));
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            Exception first = null;
            for (Future<Void> future : futures) {
                try {
                    future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    Exception cause = e.getCause() instanceof Exception ex ? ex : e;
                    if (first == null) {
                        first = cause;
                    } else {
                        first.addSuppressed(cause);
                    }
                } catch (TimeoutException e) {
                    future.cancel(true);
                    TimeoutException timeout = new TimeoutException(threadPrefix + "task did not finish within " + timeoutMillis + " ms");
                    if (first == null) {
                        first = timeout;
                    } else {
                        first.addSuppressed(timeout);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
