package io.promptq.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.promptq.local.Directories;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the unpacked Apicurio Registry ({@code io.apicurio:apicurio-registry-app:<version>:tar.gz:all}):
 * a directory holding {@code apicurio-registry-app-<version>-runner.jar} and its {@code lib/}.
 *
 * <p>An explicit directory is used alone. Otherwise looked up in this order: system property {@value #HOME_PROPERTY};
 * environment variable {@value #HOME_ENV}; {@code apicurio.home} from the filtered resource
 * {@value #RESOURCE} (the build's {@code local-cluster/target/apicurio}), resolved against the checkout this
 * code runs from, so a copied or moved checkout uses its own copy and never the original checkout's
 * ({@link #builtHome}); finally the tar.gz in the local Maven repository, unpacked once into a cache directory.
 */
public final class ApicurioDistribution {

    private static final Logger LOG = LoggerFactory.getLogger(ApicurioDistribution.class);

    /** System property naming the Apicurio directory. */
    public static final String HOME_PROPERTY = "promptq.apicurio.home";
    /** Environment variable naming the Apicurio directory. */
    public static final String HOME_ENV = "PROMPTQ_APICURIO_HOME";
    /** Classpath resource written by the build. */
    public static final String RESOURCE = "/promptq-local.properties";

    private final Path home;
    private final Path runnerJar;
    private final String version;

    private ApicurioDistribution(Path home, Path runnerJar, String version) {
        this.home = home;
        this.runnerJar = runnerJar;
        this.version = version;
    }

    /** The directory holding the runner jar. */
    public Path home() {
        return home;
    }

    /** {@code apicurio-registry-app-<version>-runner.jar}. */
    public Path runnerJar() {
        return runnerJar;
    }

    /** The Apicurio version this build expects, e.g. {@code 2.6.13.Final}. */
    public String version() {
        return version;
    }

    /**
     * Locates the distribution.
     *
     * @param explicitHome a directory chosen by the caller, or empty to search
     * @throws IllegalStateException with instructions when nothing is found
     */
    public static ApicurioDistribution locate(Optional<Path> explicitHome) {
        Properties build = buildProperties();
        String version = build.getProperty("apicurio.version", "2.6.13.Final");
        if (explicitHome.isPresent()) {
            Path home = explicitHome.get();
            return findRunnerJar(home, version)
                    .map(jar -> new ApicurioDistribution(home.toAbsolutePath(), jar.toAbsolutePath(), version))
                    .orElseThrow(() -> new IllegalStateException("Apicurio Registry not found in " + home.toAbsolutePath()
                            + ": no apicurio-registry-app-*-runner.jar there"));
        }
        List<String> tried = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        String property = System.getProperty(HOME_PROPERTY);
        if (property != null && !property.isBlank()) {
            candidates.add(Path.of(property));
        }
        String env = System.getenv(HOME_ENV);
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        builtHome(build, resourceLocation().flatMap(ApicurioDistribution::checkoutRoot)).ifPresent(candidates::add);
        for (Path candidate : candidates) {
            Optional<Path> jar = findRunnerJar(candidate, version);
            if (jar.isPresent()) {
                return new ApicurioDistribution(candidate.toAbsolutePath(), jar.get().toAbsolutePath(), version);
            }
            tried.add(candidate.toString());
        }
        Optional<Path> archive = mavenRepositoryArchive(version);
        if (archive.isPresent()) {
            Path target = WorkDirectories.cache().resolve("apicurio-" + version);
            Optional<Path> jar = findRunnerJar(target, version);
            if (jar.isEmpty()) {
                unpack(archive.get(), target);
                jar = findRunnerJar(target, version);
            }
            if (jar.isPresent()) {
                return new ApicurioDistribution(target.toAbsolutePath(), jar.get().toAbsolutePath(), version);
            }
            tried.add(archive.get() + " (unpacked to " + target + ")");
        } else {
            tried.add("the local Maven repository (no apicurio-registry-app-" + version + "-all.tar.gz)");
        }
        throw new IllegalStateException("Apicurio Registry " + version + " not found; looked in " + tried
                + ". Build it once with `./mvnw install -pl local-cluster` (unpacks io.apicurio:apicurio-registry-app:"
                + version + ":tar.gz:all into local-cluster/target/apicurio), or point " + HOME_ENV + " / -D"
                + HOME_PROPERTY + " at a directory containing apicurio-registry-app-" + version + "-runner.jar.");
    }

    /**
     * {@code apicurio.home} of the build properties, resolved against {@code currentCheckout} (the checkout this
     * code runs from): the build wrote absolute paths of the checkout that built it ({@code checkout.root}), which
     * a copied or moved checkout must not use. A path outside the built checkout, or no known current checkout
     * (e.g. the jar was installed elsewhere), keeps the path as written. Properties written before
     * {@code checkout.root} existed give the root as the parent of {@code local-cluster/target/apicurio}.
     */
    static Optional<Path> builtHome(Properties build, Optional<Path> currentCheckout) {
        String built = build.getProperty("apicurio.home");
        if (built == null || built.isBlank() || built.contains("${")) {
            return Optional.empty();
        }
        Path home = Path.of(built).normalize();
        String root = build.getProperty("checkout.root");
        Optional<Path> builtRoot = root != null && !root.isBlank() && !root.contains("${")
                ? Optional.of(Path.of(root).normalize())
                : home.endsWith(Path.of("local-cluster", "target", "apicurio"))
                        ? Optional.ofNullable(home.getParent().getParent().getParent())
                        : Optional.empty();
        if (currentCheckout.isEmpty() || builtRoot.isEmpty() || !home.startsWith(builtRoot.get())) {
            return Optional.of(home);
        }
        return Optional.of(currentCheckout.get().resolve(builtRoot.get().relativize(home)).normalize());
    }

    /**
     * The promptq checkout holding {@code location} (a class directory or a jar of it): the closest directory at
     * or above it with a {@code local-cluster/pom.xml}.
     */
    static Optional<Path> checkoutRoot(Path location) {
        for (Path dir = location.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("local-cluster").resolve("pom.xml"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** Where {@value #RESOURCE} was loaded from: the classes directory or the jar holding it. */
    private static Optional<Path> resourceLocation() {
        try {
            CodeSource source = ApicurioDistribution.class.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? Optional.empty()
                    : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Properties buildProperties() {
        Properties props = new Properties();
        try (InputStream in = ApicurioDistribution.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return props;
    }

    private static Optional<Path> findRunnerJar(Path dir, String version) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Path exact = dir.resolve("apicurio-registry-app-" + version + "-runner.jar");
        if (Files.isRegularFile(exact)) {
            return Optional.of(exact);
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "apicurio-registry-app-*-runner.jar")) {
            for (Path jar : jars) {
                return Optional.of(jar);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<Path> mavenRepositoryArchive(String version) {
        String repo = System.getProperty("maven.repo.local");
        Path root = repo != null && !repo.isBlank() ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        Path archive = root.resolve(Path.of("io", "apicurio", "apicurio-registry-app", version,
                "apicurio-registry-app-" + version + "-all.tar.gz"));
        return Files.isRegularFile(archive) ? Optional.of(archive) : Optional.empty();
    }

    /** Unpacks with the system {@code tar} into a fresh directory, then moves it into place. */
    private static void unpack(Path archive, Path target) {
        Path staging = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            LOG.info("Unpacking {} into {}", archive, target);
            Files.createDirectories(staging);
            Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", staging.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0) {
                tar.destroyForcibly();
                throw new IllegalStateException("tar -xzf " + archive + " failed");
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raceLostOrExists) {
                Directories.deleteRecursively(staging); // another process unpacked it first
            }
        } catch (IOException e) {
            Directories.deleteRecursively(staging);
            throw new UncheckedIOException("cannot unpack " + archive + " into " + target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Directories.deleteRecursively(staging);
            throw new IllegalStateException("interrupted while unpacking " + archive, e);
        }
    }
}
