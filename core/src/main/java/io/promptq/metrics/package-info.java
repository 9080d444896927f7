/** Micrometer set-up shared by the services: a Prometheus registry with JVM and process meters and common tags. */
@NullMarked
package io.promptq.metrics;

import org.jspecify.annotations.NullMarked;
