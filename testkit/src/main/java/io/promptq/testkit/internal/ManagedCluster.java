package io.promptq.testkit.internal;

import io.promptq.testkit.ClusterInfo;

/** A {@link ClusterInfo} owned by the test kit, which alone may close it. */
public interface ManagedCluster extends ClusterInfo, AutoCloseable {

    /** Stops every server of the cluster; idempotent. */
    @Override
    void close();
}
