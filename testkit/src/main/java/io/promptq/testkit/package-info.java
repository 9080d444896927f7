/**
 * JUnit 5 support for promptq integration tests: one shared Kafka cluster and schema registry per
 * test JVM, started on first use and closed when the test run ends.
 *
 * <p>Annotate a test class with {@link io.promptq.testkit.PromptqCluster} and take a
 * {@link io.promptq.testkit.ClusterInfo} parameter, or call {@link io.promptq.testkit.SharedCluster#get()}.
 * Which cluster is used is chosen by {@link io.promptq.testkit.ClusterMode}: the in-process embedded
 * cluster (default, no Docker needed) or Testcontainers.
 *
 * <p>Fixtures every module's tests share instead of keeping copies: {@link io.promptq.testkit.UniqueNames} for
 * topics, subjects and groups no other test uses, {@link io.promptq.testkit.MutableClock} for time that a test
 * moves by hand, {@link io.promptq.testkit.TopicReader} to read back a record. For crash tests:
 * {@link io.promptq.testkit.OpenAiStub} (local-cluster's {@code LocalOpenAiStub}), an OpenAI-compatible server that scripts failures and counts provider calls
 * per job, and {@link io.promptq.testkit.JvmProcess}, a service in a JVM of its own that a test can SIGKILL.
 */
@NullMarked
package io.promptq.testkit;

import org.jspecify.annotations.NullMarked;
