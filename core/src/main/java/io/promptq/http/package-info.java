/**
 * The HTTP surface every service shares: liveness, readiness, Prometheus metrics and RFC 9457
 * {@code application/problem+json} error answers.
 */
@NullMarked
package io.promptq.http;

import org.jspecify.annotations.NullMarked;
