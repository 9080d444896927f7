package io.promptq.testkit;

import java.util.Locale;
import java.util.function.Function;

/**
 * Which cluster integration tests run against.
 *
 * <p>Chosen by the system property {@value #PROPERTY} (the parent POM passes it to failsafe; it is
 * also read as a JUnit configuration parameter), else the environment variable {@value #ENV}, else
 * {@link #EMBEDDED}:
 * <pre>
 *   ./mvnw verify                                    # embedded (default)
 *   ./mvnw verify -Dpromptq.it.cluster=testcontainers
 * </pre>
 */
public enum ClusterMode {

    /** Real Kafka broker in the test JVM plus Apicurio Registry as a child process; no Docker needed. */
    EMBEDDED,

    /**
     * Testcontainers: {@code apache/kafka} and {@code confluentinc/cp-schema-registry} containers.
     * Tests are skipped when Docker is not available.
     */
    TESTCONTAINERS;

    /** System property and JUnit configuration parameter naming the mode. */
    public static final String PROPERTY = "promptq.it.cluster";
    /** Environment variable naming the mode, used when the property is not set. */
    public static final String ENV = "PROMPTQ_IT_CLUSTER";

    /** The mode from system properties and the environment. */
    public static ClusterMode fromEnvironment() {
        return resolve(System::getProperty);
    }

    /**
     * The mode from a property lookup (system properties, JUnit configuration), then {@value #ENV}.
     *
     * @throws IllegalArgumentException for an unknown value, listing the accepted ones
     */
    public static ClusterMode resolve(Function<String, String> propertyLookup) {
        String value = propertyLookup.apply(PROPERTY);
        String source = "-D" + PROPERTY;
        if (isUnset(value)) {
            value = System.getenv(ENV);
            source = ENV;
        }
        if (isUnset(value)) {
            return EMBEDDED;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "embedded" -> EMBEDDED;
            case "testcontainers" -> TESTCONTAINERS;
            default -> throw new IllegalArgumentException(
                    source + " must be 'embedded' or 'testcontainers', but was '" + value + "'");
        };
    }

    /** Blank, or a Maven placeholder left unresolved (e.g. {@code ${env.PROMPTQ_IT_CLUSTER}}). */
    private static boolean isUnset(String value) {
        return value == null || value.isBlank() || value.startsWith("${");
    }
}
