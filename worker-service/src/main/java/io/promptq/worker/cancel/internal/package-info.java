/** The reader of the cancellations topic that feeds {@link io.promptq.worker.cancel.Cancellations}. */
@NullMarked
package io.promptq.worker.cancel.internal;

import org.jspecify.annotations.NullMarked;
