/**
 * The HTTP surface every service shares: liveness, readiness, Prometheus metrics and RFC 9457
 * {@code application/problem+json} error answers.
 */
package io.promptq.http;
