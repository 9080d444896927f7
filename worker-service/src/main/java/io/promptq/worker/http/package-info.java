/**
 * The worker's HTTP surface on the shared {@link io.promptq.http.OpsServer}: liveness, readiness (the consumer
 * polls), Prometheus metrics and a small {@code GET /stats} JSON document.
 */
@NullMarked
package io.promptq.worker.http;

import org.jspecify.annotations.NullMarked;
