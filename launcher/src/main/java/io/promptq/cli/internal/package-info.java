/**
 * Implementation of the {@code promptq} commands: the local stack they start (broker, registry and services in
 * one JVM), the demo's progress line, result watcher and summary, and the statistics table. Not an API; may
 * change without notice.
 */
@NullMarked
package io.promptq.cli.internal;

import org.jspecify.annotations.NullMarked;
