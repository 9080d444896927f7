/**
 * The one backoff primitive of promptq: every loop that waits between attempts (publishing, decoding, topic
 * creation, schema registration, registry requests) takes its delays and its budget from a {@link
 * io.promptq.retry.Backoff}, so caps, jitter and exits cannot drift apart between copies.
 */
@NullMarked
package io.promptq.retry;

import org.jspecify.annotations.NullMarked;
