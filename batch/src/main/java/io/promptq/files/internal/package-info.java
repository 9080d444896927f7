/** The file store's implementations. */
@NullMarked
package io.promptq.files.internal;

import org.jspecify.annotations.NullMarked;
