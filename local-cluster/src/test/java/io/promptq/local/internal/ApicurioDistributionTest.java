package io.promptq.local.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApicurioDistributionTest {

    private static final Path ORIGINAL = Path.of("/home/alice/promptq");
    private static final Path MOVED = Path.of("/srv/ci/build-42/promptq");

    @Test
    void aPathFromTheCheckoutThatBuiltItResolvesAgainstTheCurrentCheckout() {
        Properties build = properties(ORIGINAL.resolve("local-cluster/target/apicurio"), ORIGINAL);

        assertThat(ApicurioDistribution.builtHome(build, Optional.of(MOVED)))
                .contains(MOVED.resolve("local-cluster/target/apicurio"));
        assertThat(ApicurioDistribution.builtHome(build, Optional.of(ORIGINAL)))
                .contains(ORIGINAL.resolve("local-cluster/target/apicurio"));
    }

    @Test
    void propertiesWrittenBeforeTheCheckoutRootWasRecordedAreRelocatedToo() {
        Properties build = new Properties();
        build.setProperty("apicurio.home", ORIGINAL.resolve("local-cluster/target/apicurio").toString());

        assertThat(ApicurioDistribution.builtHome(build, Optional.of(MOVED)))
                .contains(MOVED.resolve("local-cluster/target/apicurio"));
    }

    @Test
    void withoutACurrentCheckoutOrOutsideTheBuiltOneThePathIsKeptAsWritten() {
        Properties build = properties(Path.of("/opt/apicurio"), ORIGINAL);

        assertThat(ApicurioDistribution.builtHome(build, Optional.of(MOVED))).contains(Path.of("/opt/apicurio"));
        assertThat(ApicurioDistribution.builtHome(properties(ORIGINAL.resolve("local-cluster/target/apicurio"),
                ORIGINAL), Optional.empty())).contains(ORIGINAL.resolve("local-cluster/target/apicurio"));
        assertThat(ApicurioDistribution.builtHome(new Properties(), Optional.of(MOVED))).isEmpty();
    }

    @Test
    void theCurrentCheckoutIsFoundAboveTheJarOrClassesDirectory(@TempDir Path dir) throws IOException {
        Path checkout = dir.resolve("copy-of-promptq");
        Files.createDirectories(checkout.resolve("local-cluster"));
        Files.writeString(checkout.resolve("local-cluster/pom.xml"), "<project/>");
        Path lib = Files.createDirectories(checkout.resolve("launcher/target/lib"));

        assertThat(ApicurioDistribution.checkoutRoot(lib.resolve("promptq-local-cluster-1.0.jar"))).contains(checkout);
        assertThat(ApicurioDistribution.checkoutRoot(checkout.resolve("local-cluster/target/classes")))
                .contains(checkout);
        assertThat(ApicurioDistribution.checkoutRoot(dir)).isEmpty();
    }

    private static Properties properties(Path home, Path root) {
        Properties build = new Properties();
        build.setProperty("apicurio.home", home.toString());
        build.setProperty("checkout.root", root.toString());
        return build;
    }
}
