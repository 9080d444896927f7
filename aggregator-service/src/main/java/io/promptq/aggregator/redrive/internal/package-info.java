/** How the dead-letter actions find, check, republish and mark dead letters. */
@NullMarked
package io.promptq.aggregator.redrive.internal;

import org.jspecify.annotations.NullMarked;
