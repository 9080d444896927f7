package io.promptq.worker.kafka.internal;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The worker's offset bookkeeping ({@link OffsetTracker}): what the poll thread pays per record to register a
 * fetched offset, mark it finished and read the committable position, with {@code window} records outstanding
 * (in flight plus buffered, i.e. about K + buffer per partition).
 *
 * <p>It lives in the worker module ({@code src/jmh/java}, compiled with the tests) and in the tracker's package,
 * because the tracker is package-private (an implementation detail of the poll loop). The benchmarks module only
 * packages it into {@code benchmarks.jar}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class OffsetTrackerBenchmark {

    /** Records outstanding per partition. */
    @Param({"10", "100", "1000"})
    public int window;

    private static final int RANDOM_INDICES = 1 << 14;

    private OffsetTracker tracker;
    private OffsetTracker emptyTracker;
    private long[] outstanding;
    private int oldest;
    private long nextOffset;
    private int[] randomIndex;
    private int cursor;
    private int[] completionOrder;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        randomIndex = new int[RANDOM_INDICES];
        for (int i = 0; i < RANDOM_INDICES; i++) {
            randomIndex[i] = random.nextInt(window);
        }
        completionOrder = new int[window - 1];
        for (int i = 0; i < completionOrder.length; i++) {
            completionOrder[i] = i + 1;
        }
        for (int i = completionOrder.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = completionOrder[i];
            completionOrder[i] = completionOrder[j];
            completionOrder[j] = t;
        }
    }

    @Setup(Level.Iteration)
    public void fill() {
        tracker = new OffsetTracker(Math.min(1024, window));
        outstanding = new long[window];
        nextOffset = 0;
        for (int i = 0; i < window; i++) {
            outstanding[i] = tracker.register(nextOffset++);
        }
        oldest = 0;
        cursor = 0;
        emptyTracker = new OffsetTracker(Math.min(1024, window));
    }

    /** Jobs finish in fetch order: complete the oldest, register the next fetched record, read the position. */
    @Benchmark
    public long inOrder() {
        tracker.complete(outstanding[oldest]);
        outstanding[oldest] = tracker.register(nextOffset++);
        oldest = oldest + 1 == window ? 0 : oldest + 1;
        return tracker.commitPosition();
    }

    /**
     * Jobs finish in random order (as LLM latencies make them): complete a random outstanding record, register
     * the next one in its place, read the position. Finished records behind an older running one stay in the
     * ring until it finishes.
     */
    @Benchmark
    public long outOfOrder() {
        int i = randomIndex[cursor++ & (RANDOM_INDICES - 1)];
        tracker.complete(outstanding[i]);
        outstanding[i] = tracker.register(nextOffset++);
        return tracker.commitPosition();
    }

    /**
     * Head-of-line blocking, per record: {@code window} records are registered, all but the oldest finish in
     * random order, then the oldest finishes and the position jumps past all of them.
     */
    @Benchmark
    @OperationsPerInvocation(1000)
    public void headOfLineBlocked(Blackhole bh) {
        // Normalised to 1000 records per invocation whatever the window: repeat the batch as needed.
        int batches = Math.max(1, 1000 / window);
        OffsetTracker t = emptyTracker;
        for (int b = 0; b < batches; b++) {
            long first = t.register(nextOffset++);
            for (int i = 1; i < window; i++) {
                t.register(nextOffset++);
            }
            for (int i : completionOrder) {
                t.complete(first + i);
                bh.consume(t.commitPosition());
            }
            t.complete(first);
            bh.consume(t.commitPosition());
        }
    }
}
