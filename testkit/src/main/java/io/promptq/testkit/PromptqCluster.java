package io.promptq.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test that uses the shared promptq cluster (Kafka + schema registry).
 *
 * <p>Methods, constructors and lifecycle methods of the class can declare a {@link ClusterInfo}
 * parameter. The cluster is started on first use, shared by every test class of the test JVM and
 * closed when the run ends. With {@code -Dpromptq.it.cluster=testcontainers} and no Docker, the
 * class is skipped (see {@link ClusterMode}).
 *
 * <pre>{@code
 * @PromptqCluster
 * class WorkerIT {
 *     @Test
 *     void processesAJob(ClusterInfo cluster) {
 *         cluster.createTopics(3, "prompt-jobs");
 *         ...
 *     }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SharedClusterExtension.class)
public @interface PromptqCluster {
}
