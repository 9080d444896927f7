/**
 * JMH microbenchmarks of promptq's per-record hot paths: the Avro serdes of the records every job crosses (and
 * the typical records they use). The worker's offset-tracker benchmark lives in the worker module
 * ({@code worker-service/src/jmh/java}, in the tracker's own package) and is packaged here. Run
 * them with {@code java -jar benchmarks/target/benchmarks.jar} (see the module's README.md); the build compiles
 * and packages them but never runs them.
 */
@NullMarked
package io.promptq.benchmarks;

import org.jspecify.annotations.NullMarked;
