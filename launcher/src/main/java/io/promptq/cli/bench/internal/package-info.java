/**
 * The machinery of {@code promptq bench}: one local cluster per run ({@link io.promptq.cli.bench.internal.BenchCluster}),
 * a fresh set of topics, consumer group and services per scenario ({@link io.promptq.cli.bench.internal.ScenarioStack}),
 * job submission with recorded submit times, a results follower with arrival times, a provider call observer, and
 * the scenarios themselves. Everything here runs in the launcher's JVM, next to the embedded broker.
 */
@NullMarked
package io.promptq.cli.bench.internal;

import org.jspecify.annotations.NullMarked;
