package io.promptq.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the command line of the Apicurio Registry child process.
 *
 * <p>The child runs on the same {@code java} as this JVM, with a small heap and C1 only (start-up
 * matters more than peak speed for a registry that serves a handful of requests). Its entry point is
 * {@link ParentWatchdog}, copied into a tiny jar, so the child dies with its parent. Class-data
 * sharing: the first run records an AppCDS archive at exit ({@code -XX:ArchiveClassesAtExit}), later
 * runs map it ({@code -XX:SharedArchiveFile}), which halves start-up. The archive is keyed by the JDK
 * and the runner jar, written under a temporary name and moved into place atomically, so parallel
 * runs never read a half-written archive.
 */
public final class ApicurioLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(ApicurioLauncher.class);
    /** Archives being recorded take seconds; older temporary files were left by killed processes. */
    private static final Duration STALE_TRAINING_FILE_AGE = Duration.ofMinutes(10);

    private final List<String> command;
    private final Optional<Path> trainingOutput;
    private final Path archive;

    private ApicurioLauncher(List<String> command, Optional<Path> trainingOutput, Path archive) {
        this.command = List.copyOf(command);
        this.trainingOutput = trainingOutput;
        this.archive = archive;
    }

    /**
     * @param distribution the unpacked registry
     * @param port HTTP port on 127.0.0.1
     * @param childWorkDir the child's temporary directory (its watchdog deletes it if the parent dies)
     * @param jvmOptions heap and other JVM flags
     * @param systemProperties registry settings passed as {@code -Dkey=value}
     * @param classDataSharing whether to use (or record) an AppCDS archive
     */
    public static ApicurioLauncher prepare(ApicurioDistribution distribution, int port, Path childWorkDir,
                                           List<String> jvmOptions, Map<String, String> systemProperties,
                                           boolean classDataSharing) {
        Path workDir = WorkDirectories.writable(distribution.home().resolve(".promptq"))
                .orElseGet(() -> WorkDirectories.cache().resolve("apicurio-" + distribution.version()));
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + workDir, e);
        }
        Path watchdogJar = watchdogJar(workDir);
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(jvmOptions);
        Optional<Path> training = Optional.empty();
        Path archive = null;
        if (classDataSharing) {
            deleteStaleTrainingFiles(workDir);
            archive = workDir.resolve("apicurio-" + distribution.version() + "-jdk" + Runtime.version().feature() + "-"
                    + archiveKey(distribution.runnerJar(), watchdogJar, jvmOptions) + ".jsa");
            if (isUsable(archive)) {
                cmd.add("-XX:SharedArchiveFile=" + archive);
            } else {
                Path tmp = workDir.resolve(archive.getFileName() + "." + UUID.randomUUID() + ".tmp");
                cmd.add("-XX:ArchiveClassesAtExit=" + tmp);
                training = Optional.of(tmp);
            }
        }
        cmd.add("-Dquarkus.http.host=" + FreePorts.LOOPBACK_HOST);
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-Dquarkus.log.console.color=false");
        cmd.add("-D" + ParentWatchdog.WORK_DIR_PROPERTY + "=" + childWorkDir.toAbsolutePath());
        systemProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(distribution.runnerJar() + java.io.File.pathSeparator + watchdogJar);
        cmd.add(ParentWatchdog.class.getName());
        cmd.add(mainClass(distribution.runnerJar()));
        return new ApicurioLauncher(cmd, training, archive);
    }

    /** The full command line. */
    public List<String> command() {
        return command;
    }

    /** True if this run records a new class-data-sharing archive (slower start, ~2 s more at exit). */
    public boolean recordsArchive() {
        return trainingOutput.isPresent();
    }

    /** Call after the child exited: moves a freshly recorded archive into place. */
    public void publishArchive() {
        if (trainingOutput.isEmpty()) {
            return;
        }
        Path tmp = trainingOutput.get();
        try {
            if (isUsable(tmp)) {
                Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                LOG.debug("Recorded class-data-sharing archive {}", archive);
            } else {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.debug("could not publish class-data-sharing archive {}: {}", archive, e.toString());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** The {@code java} launcher of the running JVM. */
    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .filter(c -> Path.of(c).getFileName().toString().startsWith("java"))
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static boolean isUsable(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String mainClass(Path runnerJar) {
        try (JarFile jar = new JarFile(runnerJar.toFile())) {
            Manifest manifest = jar.getManifest();
            String main = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            if (main == null) {
                throw new IllegalStateException(runnerJar + " has no Main-Class in its manifest");
            }
            return main;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + runnerJar, e);
        }
    }

    /** Writes (once) a jar that holds only {@link ParentWatchdog}; named by a hash of its bytes. */
    private static Path watchdogJar(Path dir) {
        String entryName = ParentWatchdog.class.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = ParentWatchdog.class.getResourceAsStream("/" + entryName)) {
            if (in == null) {
                throw new IllegalStateException("class file " + entryName + " not found on the class path");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + entryName, e);
        }
        Path jar = dir.resolve("promptq-watchdog-" + sha256(bytes).substring(0, 12) + ".jar");
        if (isUsable(jar)) {
            return jar;
        }
        Path tmp = dir.resolve(jar.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jarOut = new JarOutputStream(out)) {
            JarEntry entry = new JarEntry(entryName);
            entry.setLastModifiedTime(FileTime.from(Instant.EPOCH));
            jarOut.putNextEntry(entry);
            jarOut.write(bytes);
            jarOut.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // another process wrote the same jar first
            } catch (IOException ignored) {
                // best effort
            }
            if (!isUsable(jar)) {
                throw new UncheckedIOException("cannot create " + jar, e);
            }
        }
        return jar;
    }

    private static String archiveKey(Path runnerJar, Path watchdogJar, List<String> jvmOptions) {
        try {
            String identity = System.getProperty("java.home") + "|" + Runtime.version() + "|" + runnerJar.toAbsolutePath()
                    + "|" + Files.size(runnerJar) + "|" + Files.getLastModifiedTime(runnerJar).toMillis()
                    + "|" + watchdogJar.getFileName() + "|" + Files.getLastModifiedTime(watchdogJar).toMillis()
                    + "|" + String.join(" ", jvmOptions);
            return sha256(identity.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + runnerJar, e);
        }
    }

    private static void deleteStaleTrainingFiles(Path dir) {
        Instant cutoff = Instant.now().minus(STALE_TRAINING_FILE_AGE);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jsa.*.tmp")) {
            for (Path file : files) {
                if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            // best effort
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
