/**
 * The JVM client of promptq: build a {@link io.promptq.client.JobRequest}, submit it with
 * {@link io.promptq.client.PromptqClient} and get back a {@link io.promptq.client.SubmitReceipt} naming where
 * the job landed. {@link io.promptq.client.JobValidator} holds the one implementation of the validation rules,
 * shared with the HTTP API of the producer service.
 */
@NullMarked
package io.promptq.client;

import org.jspecify.annotations.NullMarked;
