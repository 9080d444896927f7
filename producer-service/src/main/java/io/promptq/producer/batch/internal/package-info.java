/** The batch submitter's poll loop (polls, hands off, commits) and its tasks (validate, submit, cancel). */
@NullMarked
package io.promptq.producer.batch.internal;

import org.jspecify.annotations.NullMarked;
