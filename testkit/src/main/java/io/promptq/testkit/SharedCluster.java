package io.promptq.testkit;

import io.promptq.testkit.internal.ContainersCluster;
import io.promptq.testkit.internal.EmbeddedCluster;
import io.promptq.testkit.internal.ManagedCluster;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one cluster shared by all integration tests of a test JVM.
 *
 * <p>{@link #get()} starts it on first call (in the {@linkplain ClusterMode#fromEnvironment() chosen
 * mode}) and returns the same instance afterwards. It is closed at the end of the JUnit run by
 * {@link SharedClusterExtension} (any test class annotated {@link PromptqCluster}) and, as a last
 * resort, by a JVM shutdown hook. Prefer a {@link ClusterInfo} test parameter; use this from code that
 * cannot take one (static initialisers, helpers).
 */
public final class SharedCluster {

    private static final Logger LOG = LoggerFactory.getLogger(SharedCluster.class);

    private static ManagedCluster current;
    private static RuntimeException startFailure;
    private static Thread shutdownHook;

    private SharedCluster() {
    }

    /**
     * Returns the shared cluster, starting it if needed.
     *
     * @throws TestAbortedException in Testcontainers mode when Docker is not available (the test is skipped)
     * @throws io.promptq.local.LocalClusterException if the cluster cannot start (and on every later call)
     */
    public static ClusterInfo get() {
        return get(ClusterMode.fromEnvironment());
    }

    /** Returns the shared cluster, starting it in {@code mode} if none is running yet. */
    static synchronized ClusterInfo get(ClusterMode mode) {
        if (current != null) {
            return current;
        }
        if (startFailure != null) {
            throw new IllegalStateException("the shared " + mode.name().toLowerCase() + " cluster failed to start earlier in this JVM: "
                    + startFailure.getMessage(), startFailure);
        }
        assumeModeUsable(mode);
        long t0 = System.nanoTime();
        try {
            current = mode == ClusterMode.TESTCONTAINERS ? ContainersCluster.start() : EmbeddedCluster.start();
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
        LOG.info("Shared {} cluster for integration tests started in {} ms: {}", mode.name().toLowerCase(),
                (System.nanoTime() - t0) / 1_000_000, current);
        if (shutdownHook == null) {
            shutdownHook = Thread.ofPlatform().name("promptq-testkit-shutdown").unstarted(SharedCluster::closeFromHook);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return current;
    }

    /** Skips the calling test (class) when {@code mode} cannot run here. */
    static void assumeModeUsable(ClusterMode mode) {
        if (mode == ClusterMode.TESTCONTAINERS) {
            Assumptions.assumeTrue(ContainersCluster.isDockerAvailable(),
                    "Docker is not available, so the Testcontainers cluster (" + ClusterMode.PROPERTY
                            + "=testcontainers) cannot start: test skipped. Run with the embedded cluster instead "
                            + "(the default; -D" + ClusterMode.PROPERTY + "=embedded or " + ClusterMode.ENV
                            + "=embedded), which needs no Docker.");
        }
    }

    /** Closes the shared cluster if it is running; a later {@link #get()} starts a new one. */
    static synchronized void close() {
        ManagedCluster toClose = current;
        current = null;
        if (toClose != null) {
            long t0 = System.nanoTime();
            toClose.close();
            LOG.info("Shared cluster closed in {} ms", (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static void closeFromHook() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("closing the shared cluster at JVM exit failed: {}", e.toString());
        }
    }
}
