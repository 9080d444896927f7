package io.promptq.aggregator;

import io.promptq.aggregator.stats.StatsKey;
import io.promptq.schema.JobStats;
import io.promptq.schema.LatencyStats;
import io.promptq.schema.StatsScope;
import java.time.Instant;

/**
 * The JSON shape of a {@link JobStats} on the query API: plain fields, latencies in milliseconds,
 * timestamps as ISO-8601 strings (null for all-time totals). For example:
 *
 * <pre>{@code
 * {"key":"model:gpt-4o","scope":"MODEL","scopeValue":"gpt-4o","windowStart":null,"windowEnd":null,
 *  "total":120,"succeeded":117,"deadLettered":2,"expired":1,"cancelled":0,"other":0,
 *  "totalRetries":9,"jobsRetried":7,"totalAttempts":128,"promptTokens":51200,"completionTokens":20480,
 *  "providerLatency":{"count":128,"sumMs":64000.0,"meanMs":500.0,"minMs":80.0,"maxMs":2400.0,
 *                     "p50Ms":450.1,"p90Ms":900.3,"p95Ms":1200.8,"p99Ms":2100.5},
 *  "endToEndLatency":{...},"updatedAt":"2026-11-22T16:40:00.123Z","undecodable":0}
 * }</pre>
 *
 * @param key the aggregate's key: {@code overall}, {@code model:<m>} or {@code tenant:<t>}, with
 *     {@code @<windowStartMillis>} for windows
 * @param scope {@code OVERALL}, {@code MODEL} or {@code TENANT}
 * @param scopeValue model or tenant name, {@code *} for overall
 * @param providerLatency provider time, one sample per attempt
 * @param endToEndLatency submit to terminal outcome, one sample per job
 * @param undecodable records the workers could not decode (overall only; not part of {@code total})
 */
public record JobStatsView(
        String key,
        String scope,
        String scopeValue,
        String windowStart,
        String windowEnd,
        long total,
        long succeeded,
        long deadLettered,
        long expired,
        long cancelled,
        long other,
        long totalRetries,
        long jobsRetried,
        long totalAttempts,
        long promptTokens,
        long completionTokens,
        Latency providerLatency,
        Latency endToEndLatency,
        String updatedAt,
        long undecodable) {

    /**
     * A latency summary in milliseconds; percentiles within 0.5% relative error.
     */
    public record Latency(long count, double sumMs, double meanMs, double minMs, double maxMs, double p50Ms,
            double p90Ms, double p95Ms, double p99Ms) {

        public static Latency from(LatencyStats s) {
            return new Latency(s.getCount(), s.getSumMs(), s.getMeanMs(), s.getMinMs(), s.getMaxMs(), s.getP50Ms(),
                    s.getP90Ms(), s.getP95Ms(), s.getP99Ms());
        }

        public LatencyStats toLatencyStats() {
            return LatencyStats.newBuilder().setCount(count).setSumMs(sumMs).setMeanMs(meanMs).setMinMs(minMs)
                    .setMaxMs(maxMs).setP50Ms(p50Ms).setP90Ms(p90Ms).setP95Ms(p95Ms).setP99Ms(p99Ms).build();
        }
    }

    /** The view of {@code stats}. */
    public static JobStatsView from(JobStats stats) {
        StatsKey scopeKey = new StatsKey(stats.getScope(), stats.getScopeValue());
        String key = stats.getWindowStart() == null
                ? scopeKey.toString()
                : scopeKey.windowKey(stats.getWindowStart().toEpochMilli());
        return new JobStatsView(key, stats.getScope().name(), stats.getScopeValue(), iso(stats.getWindowStart()),
                iso(stats.getWindowEnd()), stats.getTotal(), stats.getSucceeded(), stats.getDeadLettered(),
                stats.getExpired(), stats.getCancelled(), stats.getOther(), stats.getTotalRetries(),
                stats.getJobsRetried(), stats.getTotalAttempts(), stats.getPromptTokens(), stats.getCompletionTokens(),
                Latency.from(stats.getProviderLatency()), Latency.from(stats.getEndToEndLatency()),
                iso(stats.getUpdatedAt()), stats.getUndecodable());
    }

    /** The Avro record this view shows. */
    public JobStats toJobStats() {
        return JobStats.newBuilder()
                .setScope(StatsScope.valueOf(scope))
                .setScopeValue(scopeValue)
                .setWindowStart(instant(windowStart))
                .setWindowEnd(instant(windowEnd))
                .setTotal(total)
                .setSucceeded(succeeded)
                .setDeadLettered(deadLettered)
                .setExpired(expired)
                .setCancelled(cancelled)
                .setOther(other)
                .setTotalRetries(totalRetries)
                .setJobsRetried(jobsRetried)
                .setTotalAttempts(totalAttempts)
                .setPromptTokens(promptTokens)
                .setCompletionTokens(completionTokens)
                .setProviderLatency(providerLatency.toLatencyStats())
                .setEndToEndLatency(endToEndLatency.toLatencyStats())
                .setUndecodable(undecodable)
                .setUpdatedAt(updatedAt == null ? Instant.EPOCH : Instant.parse(updatedAt))
                .build();
    }

    /** The scope as a key ({@code overall}, {@code model:<m>}, {@code tenant:<t>}), without window. */
    public StatsKey statsKey() {
        return new StatsKey(StatsScope.valueOf(scope), scopeValue);
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(String iso) {
        return iso == null ? null : Instant.parse(iso);
    }
}
