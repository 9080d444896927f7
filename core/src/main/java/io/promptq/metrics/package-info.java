/** Micrometer set-up shared by the services: a Prometheus registry with JVM and process meters and common tags. */
package io.promptq.metrics;
