package io.promptq.cli.internal;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Live progress: a progress bar on a terminal, or a plain line every few seconds when the output is
 * not a terminal (CI logs, pipes), so logs stay readable.
 */
public final class StatusLine implements AutoCloseable {

    private static final long PLAIN_INTERVAL_MS = 2_000;

    private final ProgressBar bar;
    private final String task;
    private final long total;
    private long lastPlain;
    private String lastMessage = "";
    private long lastCurrent;

    private StatusLine(ProgressBar bar, String task, long total) {
        this.bar = bar;
        this.task = task;
        this.total = total;
    }

    /** A status for {@code total} units of work, on stderr. */
    public static StatusLine open(String task, long total) {
        boolean terminal = System.console() != null && System.getenv("CI") == null;
        ProgressBar bar = terminal
                ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate().build()
                : null;
        return new StatusLine(bar, task, total);
    }

    /** Sets progress to {@code current} of the total, with a short message. */
    public synchronized void update(long current, String message) {
        lastCurrent = current;
        lastMessage = message;
        if (bar != null) {
            bar.stepTo(current);
            bar.setExtraMessage(" " + message);
            return;
        }
        long now = System.currentTimeMillis();
        if (now - lastPlain >= PLAIN_INTERVAL_MS) {
            lastPlain = now;
            System.err.printf("[%s] %d/%d  %s%n", task, current, total, message);
        }
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        } else {
            System.err.printf("[%s] %d/%d  %s%n", task, lastCurrent, total, lastMessage);
        }
    }
}
