/**
 * Shutdown helpers shared by the services and the launcher: closing a chain of resources where one failing
 * {@code close()} must not keep the others open ({@link io.promptq.lifecycle.Closeables}).
 */
@NullMarked
package io.promptq.lifecycle;

import org.jspecify.annotations.NullMarked;
