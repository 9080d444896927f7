/**
 * A real local Kafka stack without Docker: an Apache Kafka KRaft cluster, in process or one child JVM per node
 * ({@link io.promptq.local.EmbeddedKafka}), the Apicurio schema registry as a child process
 * ({@link io.promptq.local.LocalSchemaRegistry}), both together ({@link io.promptq.local.LocalCluster}), and an
 * OpenAI-compatible provider stub that counts calls per job ({@link io.promptq.local.LocalOpenAiStub}).
 *
 * <p>Used by integration tests (through {@code promptq-testkit}) and by the launcher
 * ({@code ./promptq demo}, {@code ./promptq up}). Every server listens on 127.0.0.1 only, on free
 * ports, and keeps its data in a temporary directory that is removed on close.
 */
@NullMarked
package io.promptq.local;

import org.jspecify.annotations.NullMarked;
