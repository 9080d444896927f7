package io.promptq.registry.internal;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Lets Avro instantiate promptq's generated classes. Avro 1.12 refuses to load classes that are not
 * trusted ({@code SecurityException: Forbidden ... not trusted}) unless the JVM runs with {@code
 * -Dorg.apache.avro.SERIALIZABLE_PACKAGES}; this adds the {@code io.promptq} packages to whatever
 * validator is installed, once per class loader, so services work under a plain {@code java -jar}.
 */
public final class AvroClassTrust {

    /** Package prefix whose classes are trusted. */
    public static final String TRUSTED_PREFIX = "io.promptq.";

    private static final ClassSecurityValidator.ClassSecurityPredicate PROMPTQ_CLASSES =
            type -> type.getName().startsWith(TRUSTED_PREFIX);

    static {
        ClassSecurityValidator.setGlobal(
                ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), PROMPTQ_CLASSES));
    }

    private AvroClassTrust() {}

    /** Installs the trust (the first call does; later calls are no-ops). */
    public static void ensureInstalled() {
        // the static initializer does the work
    }
}
