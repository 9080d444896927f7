package io.promptq.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension behind {@link PromptqCluster}: resolves {@link ClusterInfo} parameters with the
 * {@linkplain SharedCluster shared cluster} and closes that cluster when the whole run ends (through
 * the root {@link ExtensionContext.Store}, so also when tests fail).
 *
 * <p>The cluster is started lazily, by the first parameter that needs it. In Testcontainers mode
 * without Docker the whole class is skipped before any test runs.
 */
public final class SharedClusterExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedClusterExtension.class);
    private static final String CLOSER_KEY = "shared-cluster-closer";

    @Override
    public void beforeAll(ExtensionContext context) {
        registerCloser(context);
        SharedCluster.assumeModeUsable(mode(context));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == ClusterInfo.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        registerCloser(extensionContext);
        return SharedCluster.get(mode(extensionContext));
    }

    private static ClusterMode mode(ExtensionContext context) {
        // JUnit configuration parameters fall back to system properties.
        return ClusterMode.resolve(key -> context.getConfigurationParameter(key).orElse(null));
    }

    private static void registerCloser(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(CLOSER_KEY, key -> new Closer(), Closer.class);
    }

    /** Stored in the root store; JUnit closes it once, after the last test of the run. */
    private static final class Closer implements AutoCloseable {
        @Override
        public void close() {
            SharedCluster.close();
        }
    }
}
