/**
 * The console's dead-letter actions: redrive (republish a dead letter's job under its jobId with the next redrive
 * generation) and purge (hide it), rate-limited, each request audited on {@code <deadLetters>.audit} and each dead
 * letter marked on {@code <deadLetters>.marks}. The HTTP routes are {@link DeadLetterActions#register}.
 */
@NullMarked
package io.promptq.aggregator.redrive;

import org.jspecify.annotations.NullMarked;
