package io.promptq.worker.kafka.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;

/**
 * The one way anything wakes the poll thread's {@link Consumer}, and the one way the poll thread makes a blocking
 * consumer call other than {@code poll}.
 *
 * <p><b>Protocol.</b> {@link Consumer#wakeup()} does not interrupt a particular call: it makes whichever blocking
 * call runs next (or is running) throw {@link WakeupException} - {@code poll}, but just as well {@code commitSync},
 * {@code position}, {@code committed}, or a {@code commitSync} inside a rebalance callback. So:
 * <ol>
 *   <li>Only {@link #wake()} calls {@code consumer.wakeup()}, and only if it wins the <i>armed</i> flag (compare
 *       and set): at most one wakeup per arming, whoever asks - a finishing job, {@code stop()}, {@code crash()}.</li>
 *   <li>The poll thread arms right before it polls ({@link #armForPoll()}, which then re-checks for pending work,
 *       so a wake that came before the arming is not lost), and disarms when the poll returns
 *       ({@link #disarmAfterPoll()}) or a rebalance callback starts inside it ({@link #enterCallback()}); a callback
 *       that ends inside a poll arms again ({@link #exitCallback()}) and wakes the poll if work arrived meanwhile.</li>
 *   <li>A wake that won the flag just before disarming may reach the consumer just after it: so at most one stray
 *       wakeup can be pending when the poll thread makes another blocking call. Every such call goes through
 *       {@link #blocking(Supplier)}, which retries on a {@link WakeupException}.</li>
 * </ol>
 * A woken {@code poll} simply returns no records; the loop then looks at what woke it.
 *
 * <p>{@link #wake()} is thread-safe; everything else runs on the poll thread.
 */
final class PollWaker {

    /**
     * Attempts of one blocking call. One stray wakeup is possible (see the class comment); a second would mean the
     * protocol is broken, and then the call fails instead of spinning.
     */
    static final int MAX_ATTEMPTS = 3;

    private final Consumer<?, ?> consumer;
    private final BooleanSupplier workPending;
    private final AtomicBoolean armed = new AtomicBoolean();
    private boolean polling;

    /**
     * @param workPending whether the loop has something to do at once (completions queued, a stop or crash
     *     requested), read on the poll thread after arming
     */
    PollWaker(Consumer<?, ?> consumer, BooleanSupplier workPending) {
        this.consumer = consumer;
        this.workPending = workPending;
    }

    /** Any thread: wakes the consumer if the poll thread is (about to be) in {@code poll}; else does nothing. */
    void wake() {
        if (armed.compareAndSet(true, false)) {
            consumer.wakeup();
        }
    }

    /**
     * Poll thread, right before {@code poll}: arms, then checks for pending work.
     *
     * @return whether work is pending already, so the poll must not block
     */
    boolean armForPoll() {
        polling = true;
        armed.set(true);
        return workPending.getAsBoolean();
    }

    /** Poll thread, once {@code poll} returned or threw. */
    void disarmAfterPoll() {
        armed.set(false);
        polling = false;
    }

    /** Poll thread, at the start of a rebalance callback that makes blocking calls or waits. */
    void enterCallback() {
        armed.set(false);
    }

    /**
     * Poll thread, at the end of such a callback: inside a poll, arms again and wakes the poll if work arrived
     * while it was disarmed; outside one ({@code close}, {@code unsubscribe}) stays disarmed.
     */
    void exitCallback() {
        if (polling && armForPoll()) {
            wake();
        }
    }

    /** Poll thread: runs a blocking consumer call other than {@code poll}, retrying it after a stray wakeup. */
    <T extends @Nullable Object> T blocking(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (WakeupException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** {@link #blocking(Supplier)} for a call without a result. */
    void blocking(Runnable call) {
        blocking(() -> {
            call.run();
            return null;
        });
    }

    /** Whether a wake would wake the consumer now (for tests). */
    boolean armed() {
        return armed.get();
    }
}
