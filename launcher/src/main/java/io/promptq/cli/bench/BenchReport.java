package io.promptq.cli.bench;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one {@code promptq bench} run measured, scenario by scenario (a scenario that was not run is
 * {@code null}), with the targets it is judged against. Renders itself as a terminal table and as JSON.
 * Absolute numbers on a shared machine are noise; the ratios between scenarios of one run are the result.
 *
 * @param plan the plan's name ("standard" or "quick")
 * @param cores processors available to the JVM
 * @param overrides configuration entries applied to every service in this run (empty = defaults)
 * @param noopNoStates the opt-in no-op run with job states off (null unless asked for)
 */
public record BenchReport(String plan, int cores, Map<String, String> overrides, Raw raw, Noop noop,
        LatencyBound latencyBound, AddedLatency addedLatency, Scaling scaling, Memory memory, Noop noopNoStates) {

    /** A report without the opt-in no-op run with job states off. */
    public BenchReport(String plan, int cores, Map<String, String> overrides, Raw raw, Noop noop,
            LatencyBound latencyBound, AddedLatency addedLatency, Scaling scaling, Memory memory) {
        this(plan, cores, overrides, raw, noop, latencyBound, addedLatency, scaling, memory, null);
    }

    /** No-op jobs/s with job states on ÷ with them off, both of this run: the cost of job states (1 = none). */
    public double statesThroughputRatio() {
        return noop == null || noopNoStates == null ? Double.NaN
                : BenchMath.ratio(noop.jobsPerSec(), noopNoStates.jobsPerSec());
    }

    /** Target: latency-bound jobs/s at least this fraction of P × K ÷ latency. */
    public static final double TARGET_LATENCY_EFFICIENCY = 0.95;
    /** Target: no-op jobs/s at least this fraction of the raw Kafka msgs/s of the same run. */
    public static final double TARGET_NOOP_RATIO = 0.2;
    /** Target: p99 of submit → provider call start at half load, at most this many milliseconds. */
    public static final double TARGET_ADDED_P99_MS = 20;
    /** Target: heap held by one worker with 10,000 jobs in flight, below this many MiB. */
    public static final double TARGET_INFLIGHT_HEAP_MIB = 256;
    /** Target: 3 workers at least this many times the throughput of 1 (each worker the bottleneck). */
    public static final double TARGET_SCALING_3 = 2.8;

    /**
     * Raw Kafka on the same broker: N records produced and consumed concurrently (end to end: first send to last
     * record consumed), with the producer and consumer settings the services use.
     */
    public record Raw(int messages, int payloadBytes, int partitions, double msgsPerSec, double produceMsgsPerSec,
            double cpuSecondsPer1000, CpuBreakdown cpu) {}

    /** No-op jobs (0 ms provider): first submit to last terminal result on the results topic, aggregator running. */
    public record Noop(int jobs, int partitions, int permits, int workers, double jobsPerSec, double cpuSecondsPer1000,
            long notSucceeded, CpuBreakdown cpu) {}

    /**
     * Latency-bound: one worker, P partitions × K permits, fixed provider latency; steady-state jobs/s. Its
     * efficiency splits (Little's law) into {@code permitUtilization}, the share of P × K permit-time spent inside
     * provider calls (the rest: fetch, dispatch, publishing the result, idle permits), and the provider stretch
     * {@code meanCallMs} ÷ latency (calls slower than configured: a starved CPU).
     */
    public record LatencyBound(int jobs, int partitions, int permits, Duration latency, double jobsPerSec,
            double permitUtilization, double meanCallMs) {
        public double capacity() {
            return BenchMath.capacity(partitions, permits, latency);
        }

        public double efficiency() {
            return BenchMath.efficiency(jobsPerSec, partitions, permits, latency);
        }

        /** Actual ÷ configured provider call time. */
        public double providerStretch() {
            return BenchMath.ratio(meanCallMs, latency.toNanos() / 1e6);
        }
    }

    /**
     * Latency added by promptq at a fraction of saturation: submit → provider call start, and end to end (submit to
     * result consumed) minus the provider's own time. {@code queuedShare} is the fraction of jobs that found all K
     * permits of their partition taken when submitted (they wait for a provider call to end: queueing, not
     * overhead); {@code unqueuedToCallStartP99Ms} is the p99 of the others.
     */
    public record AddedLatency(double offeredJobsPerSec, int jobs, double toCallStartP50Ms, double toCallStartP99Ms,
            double overheadP50Ms, double overheadP99Ms, double queuedShare, double unqueuedToCallStartP99Ms) {}

    /** Throughput with 1, 2, 3, ... workers, each capped at {@code workerCap} jobs in flight. */
    public record Scaling(int workerCap, Duration latency, List<Double> jobsPerSec) {
        public Scaling {
            jobsPerSec = List.copyOf(jobsPerSec);
        }

        /** T(workers) ÷ (workers × cap ÷ latency): how close a round came to its capacity. */
        public double efficiency(int workers) {
            return workers > jobsPerSec.size()
                    ? Double.NaN
                    : BenchMath.ratio(jobsPerSec.get(workers - 1), BenchMath.capacity(workers, workerCap, latency));
        }

        /** T(workers) ÷ T(1), NaN when not measured. */
        public double factor(int workers) {
            return workers > jobsPerSec.size() || jobsPerSec.isEmpty()
                    ? Double.NaN
                    : BenchMath.ratio(jobsPerSec.get(workers - 1), jobsPerSec.get(0));
        }
    }

    /** Used heap after GC of one worker holding jobs in flight, minus the same before the worker started. */
    public record Memory(int targetJobs, int inFlight, long baselineBytes, long peakBytes) {
        public double heapMiB() {
            return inFlight <= 0 ? Double.NaN : BenchMath.mib(peakBytes - baselineBytes);
        }

        /** The heap delta scaled to exactly 10,000 jobs in flight (linear in the jobs reached). */
        public double heapMiBPer10k() {
            return inFlight <= 0 ? Double.NaN : heapMiB() * 10_000.0 / inFlight;
        }

        public double bytesPerJob() {
            return inFlight <= 0 ? Double.NaN : (peakBytes - baselineBytes) / (double) inFlight;
        }
    }

    /** One target and whether it was met ({@code null} when its scenario did not run). */
    public record Check(String key, String target, Boolean met) {}

    public double noopRatio() {
        return raw == null || noop == null ? Double.NaN : BenchMath.ratio(noop.jobsPerSec(), raw.msgsPerSec());
    }

    /** CPU per job relative to CPU per raw record. */
    public double noopCpuRatio() {
        return raw == null || noop == null ? Double.NaN : BenchMath.ratio(noop.cpuSecondsPer1000(), raw.cpuSecondsPer1000());
    }

    /** Every target, in scenario order. */
    public List<Check> checks() {
        List<Check> checks = new ArrayList<>();
        checks.add(new Check("noopRatio", ">= " + fmt(TARGET_NOOP_RATIO, 2), atLeast(noopRatio(), TARGET_NOOP_RATIO)));
        checks.add(new Check("latencyBoundEfficiency", ">= " + fmt(TARGET_LATENCY_EFFICIENCY, 2),
                atLeast(latencyBound == null ? Double.NaN : latencyBound.efficiency(), TARGET_LATENCY_EFFICIENCY)));
        checks.add(new Check("addedLatencyP99Ms", "<= " + fmt(TARGET_ADDED_P99_MS, 0),
                atMost(addedLatency == null ? Double.NaN : addedLatency.toCallStartP99Ms(), TARGET_ADDED_P99_MS)));
        checks.add(new Check("scaling3", ">= " + fmt(TARGET_SCALING_3, 1),
                atLeast(scaling == null ? Double.NaN : scaling.factor(3), TARGET_SCALING_3)));
        checks.add(new Check("inflight10kHeapMiB", "< " + fmt(TARGET_INFLIGHT_HEAP_MIB, 0),
                below(memory == null ? Double.NaN : memory.heapMiBPer10k(), TARGET_INFLIGHT_HEAP_MIB)));
        return checks;
    }

    /** Targets missed (scenarios not run count as neither met nor missed). */
    public List<Check> missed() {
        return checks().stream().filter(c -> Boolean.FALSE.equals(c.met())).toList();
    }

    /** The flat key/value view written as JSON (NaN and missing scenarios as null). */
    public Map<String, Object> values() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("plan", plan);
        v.put("cores", cores);
        v.put("overrides", new java.util.TreeMap<>(overrides));
        v.put("partitions", raw != null ? Integer.valueOf(raw.partitions()) : noop != null ? Integer.valueOf(noop.partitions()) : null);
        v.put("payloadBytes", raw == null ? null : raw.payloadBytes());
        v.put("rawMessages", raw == null ? null : raw.messages());
        v.put("rawMsgsPerSec", raw == null ? Double.NaN : raw.msgsPerSec());
        v.put("rawProduceMsgsPerSec", raw == null ? Double.NaN : raw.produceMsgsPerSec());
        v.put("rawCpuSecondsPer1000", raw == null ? Double.NaN : raw.cpuSecondsPer1000());
        v.put("rawCpuBreakdown", raw == null || raw.cpu() == null ? null : raw.cpu().perThousand());
        v.put("noopJobs", noop == null ? null : noop.jobs());
        v.put("noopJobsPerSec", noop == null ? Double.NaN : noop.jobsPerSec());
        v.put("noopRatio", noopRatio());
        v.put("noopCpuSecondsPer1000", noop == null ? Double.NaN : noop.cpuSecondsPer1000());
        v.put("noopCpuRatio", noopCpuRatio());
        v.put("noopCpuBreakdown", noop == null || noop.cpu() == null ? null : noop.cpu().perThousand());
        v.put("noopNotSucceeded", noop == null ? null : noop.notSucceeded());
        if (noopNoStates != null) {
            v.put("noopNoStatesJobsPerSec", noopNoStates.jobsPerSec());
            v.put("noopNoStatesCpuSecondsPer1000", noopNoStates.cpuSecondsPer1000());
            v.put("statesThroughputRatio", statesThroughputRatio());
        }
        v.put("latencyBoundJobs", latencyBound == null ? null : latencyBound.jobs());
        v.put("latencyBoundJobsPerSec", latencyBound == null ? Double.NaN : latencyBound.jobsPerSec());
        v.put("latencyBoundCapacity", latencyBound == null ? Double.NaN : latencyBound.capacity());
        v.put("latencyBoundEfficiency", latencyBound == null ? Double.NaN : latencyBound.efficiency());
        v.put("latencyBoundPermitUtilization", latencyBound == null ? Double.NaN : latencyBound.permitUtilization());
        v.put("latencyBoundProviderStretch", latencyBound == null ? Double.NaN : latencyBound.providerStretch());
        v.put("addedLatencyOfferedJobsPerSec", addedLatency == null ? Double.NaN : addedLatency.offeredJobsPerSec());
        v.put("addedLatencyP50Ms", addedLatency == null ? Double.NaN : addedLatency.toCallStartP50Ms());
        v.put("addedLatencyP99Ms", addedLatency == null ? Double.NaN : addedLatency.toCallStartP99Ms());
        v.put("overheadP50Ms", addedLatency == null ? Double.NaN : addedLatency.overheadP50Ms());
        v.put("overheadP99Ms", addedLatency == null ? Double.NaN : addedLatency.overheadP99Ms());
        v.put("addedLatencyQueuedShare", addedLatency == null ? Double.NaN : addedLatency.queuedShare());
        v.put("addedLatencyUnqueuedP99Ms", addedLatency == null ? Double.NaN : addedLatency.unqueuedToCallStartP99Ms());
        for (int w = 1; w <= 3; w++) {
            v.put("scaling" + w + "JobsPerSec", scaling == null || scaling.jobsPerSec().size() < w
                    ? Double.NaN : scaling.jobsPerSec().get(w - 1));
        }
        for (int w = 1; w <= 3; w++) {
            v.put("scaling" + w + "Efficiency", scaling == null ? Double.NaN : scaling.efficiency(w));
        }
        v.put("scaling2", scaling == null ? Double.NaN : scaling.factor(2));
        v.put("scaling3", scaling == null ? Double.NaN : scaling.factor(3));
        v.put("inflightJobs", memory == null ? null : memory.inFlight());
        v.put("inflightHeapMiB", memory == null ? Double.NaN : memory.heapMiB());
        v.put("inflight10kHeapMiB", memory == null ? Double.NaN : memory.heapMiBPer10k());
        v.put("inflightBytesPerJob", memory == null ? Double.NaN : memory.bytesPerJob());
        return v;
    }

    /** One JSON object: {@link #values()} plus {@code targets: {key: {target, met}}}. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n");
        for (Map.Entry<String, Object> e : values().entrySet()) {
            sb.append("  ").append(quote(e.getKey())).append(": ").append(jsonValue(e.getValue())).append(",\n");
        }
        sb.append("  \"targets\": {");
        List<Check> checks = checks();
        for (int i = 0; i < checks.size(); i++) {
            Check c = checks.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    ").append(quote(c.key())).append(": {\"target\": ")
                    .append(quote(c.target())).append(", \"met\": ").append(c.met() == null ? "null" : c.met()).append('}');
        }
        sb.append("\n  }\n}\n");
        return sb.toString();
    }

    /** The results as a table: one row per scenario with its result, target and verdict. */
    public String toTable() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"scenario", "result", "target", "verdict"});
        Map<String, Check> byKey = new LinkedHashMap<>();
        for (Check c : checks()) {
            byKey.put(c.key(), c);
        }
        if (raw != null) {
            rows.add(new String[] {
                String.format(Locale.ROOT, "1 raw Kafka (%d B records, %d partitions)", raw.payloadBytes(), raw.partitions()),
                String.format(Locale.ROOT, "%s msgs/s end to end (produce alone %s/s); %s CPU s per 1k",
                        count(raw.msgsPerSec()), count(raw.produceMsgsPerSec()), fmt(raw.cpuSecondsPer1000(), 3)),
                "baseline", ""});
        }
        if (noop != null) {
            rows.add(new String[] {
                String.format(Locale.ROOT, "2 no-op jobs (%d worker, K=%d, aggregator on)", noop.workers(), noop.permits()),
                String.format(Locale.ROOT, "%s jobs/s = %s x raw; %s CPU s per 1k = %s x raw%s",
                        count(noop.jobsPerSec()), fmt(noopRatio(), 3), fmt(noop.cpuSecondsPer1000(), 3), fmt(noopCpuRatio(), 1),
                        noop.notSucceeded() > 0 ? "; " + noop.notSucceeded() + " not SUCCEEDED" : ""),
                "x raw " + byKey.get("noopRatio").target(), verdict(byKey.get("noopRatio"))});
        }
        if (noopNoStates != null) {
            rows.add(new String[] {
                "2b no-op jobs, job states off",
                String.format(Locale.ROOT, "%s jobs/s; %s CPU s per 1k; states on / off = %s x%s",
                        count(noopNoStates.jobsPerSec()), fmt(noopNoStates.cpuSecondsPer1000(), 3),
                        fmt(statesThroughputRatio(), 3),
                        noopNoStates.notSucceeded() > 0 ? "; " + noopNoStates.notSucceeded() + " not SUCCEEDED" : ""),
                "measured", ""});
        }
        if (latencyBound != null) {
            rows.add(new String[] {
                String.format(Locale.ROOT, "3 latency-bound (P=%d x K=%d, %d ms)", latencyBound.partitions(),
                        latencyBound.permits(), latencyBound.latency().toMillis()),
                String.format(Locale.ROOT, "%s of %s jobs/s = efficiency %s (permits %s%% in calls; calls %s x %d ms)",
                        fmt(latencyBound.jobsPerSec(), 1), fmt(latencyBound.capacity(), 0), fmt(latencyBound.efficiency(), 3),
                        fmt(latencyBound.permitUtilization() * 100, 1), fmt(latencyBound.providerStretch(), 3),
                        latencyBound.latency().toMillis()),
                byKey.get("latencyBoundEfficiency").target(), verdict(byKey.get("latencyBoundEfficiency"))});
        }
        if (addedLatency != null) {
            rows.add(new String[] {
                String.format(Locale.ROOT, "4 added latency at %s jobs/s", fmt(addedLatency.offeredJobsPerSec(), 0)),
                String.format(Locale.ROOT,
                        "submit->call p50 %s / p99 %s ms (p99 %s ms without the %s%% that found K busy); e2e - provider p50 %s / p99 %s ms",
                        fmt(addedLatency.toCallStartP50Ms(), 1), fmt(addedLatency.toCallStartP99Ms(), 1),
                        fmt(addedLatency.unqueuedToCallStartP99Ms(), 1), fmt(addedLatency.queuedShare() * 100, 1),
                        fmt(addedLatency.overheadP50Ms(), 1), fmt(addedLatency.overheadP99Ms(), 1)),
                "p99 " + byKey.get("addedLatencyP99Ms").target() + " ms", verdict(byKey.get("addedLatencyP99Ms"))});
        }
        if (scaling != null) {
            StringBuilder result = new StringBuilder();
            for (int w = 1; w <= scaling.jobsPerSec().size(); w++) {
                result.append(w == 1 ? "" : ", ").append(w).append("w ").append(fmt(scaling.jobsPerSec().get(w - 1), 1))
                        .append(" (").append(fmt(scaling.efficiency(w), 2)).append(')');
            }
            result.append(" jobs/s (of capacity); x").append(fmt(scaling.factor(2), 2)).append(" / x").append(fmt(scaling.factor(3), 2));
            rows.add(new String[] {
                String.format(Locale.ROOT, "5 scaling 1-2-3 workers (cap %d each)", scaling.workerCap()),
                result.toString(), "3w " + byKey.get("scaling3").target() + " x 1w", verdict(byKey.get("scaling3"))});
        }
        if (memory != null) {
            rows.add(new String[] {
                String.format(Locale.ROOT, "6 heap, %,d jobs in flight (1 worker)", memory.inFlight()),
                String.format(Locale.ROOT, "+%s MiB after GC = %s MiB per 10k (%s B per job)", fmt(memory.heapMiB(), 1),
                        fmt(memory.heapMiBPer10k(), 1), count(memory.bytesPerJob())),
                byKey.get("inflight10kHeapMiB").target() + " MiB", verdict(byKey.get("inflight10kHeapMiB"))});
        }
        StringBuilder table = new StringBuilder(render(rows));
        if (raw != null && raw.cpu() != null) {
            table.append("\n  CPU s per 1k raw records by component: ").append(raw.cpu().describe());
        }
        if (noop != null && noop.cpu() != null) {
            table.append("\n  CPU s per 1k no-op jobs by component:  ").append(noop.cpu().describe());
        }
        return table.toString();
    }

    /** Left-aligned columns, two spaces apart, a rule under the header. */
    static String render(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < columns; c++) {
                line.append(rows.get(r)[c]).append(c < columns - 1 ? " ".repeat(width[c] - rows.get(r)[c].length() + 2) : "");
            }
            sb.append(line.toString().stripTrailing());
            if (r == 0) {
                int total = 2;
                for (int c = 0; c < columns; c++) {
                    total += width[c] + (c < columns - 1 ? 2 : 0);
                }
                sb.append('\n').append("  ").append("-".repeat(total - 2));
            }
            if (r < rows.size() - 1) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static Boolean atLeast(double value, double target) {
        return Double.isNaN(value) ? null : value >= target;
    }

    private static Boolean atMost(double value, double target) {
        return Double.isNaN(value) ? null : value <= target;
    }

    private static Boolean below(double value, double target) {
        return Double.isNaN(value) ? null : value < target;
    }

    private static String verdict(Check check) {
        return check.met() == null ? "-" : check.met() ? "met" : "MISSED";
    }

    static String fmt(double value, int decimals) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String count(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String jsonValue(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return "null";
            }
            return new BigDecimal(d).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{");
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(sb.length() == 1 ? "" : ", ").append(quote(e.getKey().toString())).append(": ")
                        .append(jsonValue(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        return quote(value.toString());
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
