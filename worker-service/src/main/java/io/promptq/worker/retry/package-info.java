/**
 * When and where a failed job is tried again: retry tiers with full jitter, the Retry-After floor, optional
 * in-process retries and the attempt budget. Pure logic with an injectable random source, unit-tested without
 * a broker.
 */
@NullMarked
package io.promptq.worker.retry;

import org.jspecify.annotations.NullMarked;
