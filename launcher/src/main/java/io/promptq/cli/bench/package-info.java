/**
 * {@code promptq bench}: proves the performance claims with ratios measured side by side in one run on a real
 * local cluster - raw Kafka vs. no-op jobs, latency-bound efficiency, added latency at half load, worker scaling
 * and heap per in-flight job. {@link io.promptq.cli.bench.BenchPlan} sizes a run,
 * {@link io.promptq.cli.bench.BenchRunner} runs it, {@link io.promptq.cli.bench.BenchReport} renders the table and
 * JSON, {@link io.promptq.cli.bench.BenchMath} holds the arithmetic. The scenarios live in {@code internal}.
 */
@NullMarked
package io.promptq.cli.bench;

import org.jspecify.annotations.NullMarked;
