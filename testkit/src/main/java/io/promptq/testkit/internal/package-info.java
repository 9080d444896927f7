/** Implementations behind {@link io.promptq.testkit.ClusterInfo}; not an API. */
package io.promptq.testkit.internal;
