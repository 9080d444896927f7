package io.promptq.producer.http.internal;

import io.promptq.producer.http.internal.JobStatusHandler.View;
import io.promptq.producer.http.internal.JobStatusHandler.ViewUnavailable;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live follow behind the event streams: one watch per followed job (and caller's {@code Authorization}, so a
 * watch only ever serves the tenant that opened it), a virtual thread long-polling the aggregator for that job's
 * next view, read by every event stream of the job. A thousand streams of one job cost one aggregator request at a
 * time, not a thousand. A watch ends after the terminal view, after a 404, or when its last stream has left.
 */
final class JobWatches {

    private static final Logger log = LoggerFactory.getLogger(JobWatches.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final ConcurrentHashMap<Key, Watch> watches = new ConcurrentHashMap<>();
    private final JobStatusHandler views;
    private final Duration poll;

    /**
     * @param views asks the aggregator for a job's view
     * @param poll how long each long poll of the aggregator is held
     */
    JobWatches(JobStatusHandler views, Duration poll) {
        this.views = views;
        this.poll = poll;
    }

    private record Key(String jobId, @Nullable String authorization) {}

    /**
     * Joins the watch of {@code jobId} for callers with {@code authorization}, starting it from {@code start} (a view
     * the caller was allowed to read) when none runs. {@link Subscription#close() Close} it when the stream ends.
     */
    Subscription subscribe(String jobId, @Nullable String authorization, View start) {
        Key key = new Key(jobId, authorization);
        Watch watch = watches.compute(key, (k, running) -> {
            Watch w = running == null ? new Watch(k, start) : running;
            w.subscribers++;
            return w;
        });
        watch.startOnce();
        return new Subscription(watch);
    }

    /** The latest view of the running watch of {@code jobId} for callers with {@code authorization}; null if none. */
    @Nullable View latest(String jobId, @Nullable String authorization) {
        Watch watch = watches.get(new Key(jobId, authorization));
        return watch == null ? null : watch.latest;
    }

    /** Jobs watched now. */
    int size() {
        return watches.size();
    }

    /** One stream's membership in a watch. */
    final class Subscription implements AutoCloseable {

        private final Watch watch;
        private boolean closed;

        private Subscription(Watch watch) {
            this.watch = watch;
        }

        /**
         * The job's first view with a version above {@code after}, waiting up to {@code timeout}; null when none
         * came in time.
         *
         * @throws ViewUnavailable when the watch's last poll failed (404: the job's view is gone) or the watch ended
         *     early (subscribe again)
         */
        @Nullable View next(long after, Duration timeout) throws InterruptedException {
            CompletableFuture<Object> next = watch.next.get();
            View latest = watch.latest;
            if (latest.version() > after || latest.terminal()) {
                return latest;
            }
            Object update;
            try {
                update = next.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!watch.active() && !watch.latest.terminal()) {
                    throw ViewUnavailable.unavailable("the job's watch ended; following it again");
                }
                return null;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            if (update instanceof ViewUnavailable unavailable) {
                throw unavailable;
            }
            return (View) update;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            watches.computeIfPresent(watch.key, (k, w) -> w == watch && --w.subscribers == 0 ? null : w);
        }
    }

    /** A job's watch: the latest view and a future completed by the next update (a view or a failure). */
    private final class Watch {

        private final Key key;
        private final AtomicReference<CompletableFuture<Object>> next = new AtomicReference<>(new CompletableFuture<>());
        private volatile View latest;
        private int subscribers; // changed only inside watches.compute*, which serializes them per key
        private boolean started; // likewise

        private Watch(Key key, View start) {
            this.key = key;
            this.latest = start;
        }

        private void startOnce() {
            boolean[] start = {false};
            watches.computeIfPresent(key, (k, w) -> {
                if (w == this && !w.started) {
                    w.started = true;
                    start[0] = true;
                }
                return w;
            });
            if (start[0]) {
                Thread.ofVirtual().name("job-watch-" + key.jobId()).start(this::run);
            }
        }

        private boolean active() {
            return watches.get(key) == this;
        }

        private void publish(Object update) {
            if (update instanceof View view) {
                latest = view;
            }
            next.getAndSet(new CompletableFuture<>()).complete(update);
        }

        private void run() {
            try {
                while (active() && !latest.terminal()) {
                    try {
                        View view = views.view(key.jobId(), poll, latest.version(), Optional.empty(),
                                key.authorization());
                        if (view.version() > latest.version() || view.terminal()) {
                            publish(view);
                        }
                    } catch (ViewUnavailable e) {
                        publish(e);
                        if (e.status() == 404) {
                            return;
                        }
                        Thread.sleep(RETRY_PAUSE);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("Watch of job {} failed; its event streams end", key.jobId(), e);
                publish(ViewUnavailable.unavailable("the job's watch failed: " + e));
            } finally {
                watches.remove(key, this);
            }
        }
    }
}
