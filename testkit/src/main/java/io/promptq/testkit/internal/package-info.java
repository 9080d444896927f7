/** Implementations behind {@link io.promptq.testkit.ClusterInfo}; not an API. */
@NullMarked
package io.promptq.testkit.internal;

import org.jspecify.annotations.NullMarked;
