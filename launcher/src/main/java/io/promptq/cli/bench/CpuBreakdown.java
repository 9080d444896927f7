package io.promptq.cli.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the CPU of a scenario went, per component, in CPU seconds per 1,000 items (jobs or records). Threads are
 * attributed by name ({@link #componentOf}); {@value #JVM} is the process CPU not spent in any Java thread alive at
 * the end (garbage collection, JIT compilation, threads that ended meanwhile).
 *
 * @param perThousand CPU seconds per 1,000 items by component, largest first
 */
public record CpuBreakdown(Map<String, Double> perThousand) {

    public static final String WORKER = "worker";
    public static final String AGGREGATOR = "aggregator";
    public static final String CLIENT = "client";
    public static final String BENCH = "bench";
    public static final String BROKER = "broker";
    public static final String JVM = "jvm";

    public CpuBreakdown {
        perThousand = Collections.unmodifiableMap(new LinkedHashMap<>(perThousand));
    }

    /**
     * The component a thread belongs to, from its name: the aggregator's Kafka Streams and client threads carry its
     * application id; worker threads are the poll thread, the virtual-thread carriers (job and provider-call threads
     * are virtual) and the worker's Kafka client threads; the client is the submitting thread and its producer; the
     * benchmark's own readers are {@value #BENCH}; the rest (request handlers, controller, log threads) is the
     * in-process broker.
     */
    public static String componentOf(String thread) {
        String t = thread.toLowerCase(Locale.ROOT);
        if (t.contains("aggregator")) {
            return AGGREGATOR;
        }
        if (t.startsWith("promptq-worker-poll") || t.startsWith("forkjoinpool-1-")
                || (t.contains("-worker-") && t.contains("-producer")) || t.equals("consumer_background_thread")) {
            return WORKER;
        }
        if (t.equals("main") || t.contains(".client") || t.contains("raw-producer")) {
            return CLIENT;
        }
        if (t.startsWith("promptq-bench")) {
            return BENCH;
        }
        return BROKER;
    }

    /**
     * The breakdown of per-thread CPU deltas.
     *
     * @param threadCpuNanos CPU nanoseconds spent per thread name during the scenario
     * @param processCpuNanos CPU nanoseconds of the whole process during the scenario
     * @param items jobs or records processed
     */
    public static CpuBreakdown of(Map<String, Long> threadCpuNanos, long processCpuNanos, long items) {
        Map<String, Long> nanos = new LinkedHashMap<>();
        long threads = 0;
        for (Map.Entry<String, Long> e : threadCpuNanos.entrySet()) {
            nanos.merge(componentOf(e.getKey()), e.getValue(), Long::sum);
            threads += e.getValue();
        }
        nanos.merge(JVM, Math.max(0, processCpuNanos - threads), Long::sum);
        Map<String, Double> perThousand = new LinkedHashMap<>();
        nanos.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> perThousand.put(e.getKey(), BenchMath.cpuSecondsPerThousand(e.getValue(), items)));
        return new CpuBreakdown(perThousand);
    }

    /** E.g. {@code worker 0.080, aggregator 0.070, broker 0.060}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        perThousand.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%.3f", v)));
        return sb.toString();
    }
}
