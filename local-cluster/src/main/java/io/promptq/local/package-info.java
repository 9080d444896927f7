/**
 * A real local Kafka stack without Docker: an in-process Apache Kafka KRaft cluster
 * ({@link io.promptq.local.EmbeddedKafka}), the Apicurio schema registry as a child process
 * ({@link io.promptq.local.LocalSchemaRegistry}) and both together ({@link io.promptq.local.LocalCluster}).
 *
 * <p>Used by integration tests (through {@code promptq-testkit}) and by the launcher
 * ({@code ./promptq demo}, {@code ./promptq up}). Every server listens on 127.0.0.1 only, on free
 * ports, and keeps its data in a temporary directory that is removed on close.
 */
@NullMarked
package io.promptq.local;

import org.jspecify.annotations.NullMarked;
