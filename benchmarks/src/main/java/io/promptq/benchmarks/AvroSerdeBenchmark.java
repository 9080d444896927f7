package io.promptq.benchmarks;

import io.promptq.registry.AvroSerdes;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.JobResult;
import io.promptq.schema.PromptJob;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * promptq's Avro serdes (Confluent wire format) on the two records every job crosses: the {@link PromptJob} the
 * worker decodes and the {@link JobResult} it encodes, with the schema ids cached (the steady state). Uses the
 * in-memory registry, so no network is involved.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class AvroSerdeBenchmark {

    private static final String JOBS = "promptq.jobs";
    private static final String RESULTS = "promptq.results";

    private SchemaRegistryClient registry;
    private Serializer<PromptJob> jobSerializer;
    private Deserializer<PromptJob> jobDeserializer;
    private Serializer<JobResult> resultSerializer;
    private Deserializer<JobResult> resultDeserializer;
    private PromptJob job;
    private JobResult result;
    private byte[] jobBytes;
    private byte[] resultBytes;

    @Setup(Level.Trial)
    public void setUp() {
        registry = SchemaRegistryClient.inMemory();
        Serde<PromptJob> jobs = AvroSerdes.specific(PromptJob.class, registry, true);
        Serde<JobResult> results = AvroSerdes.specific(JobResult.class, registry, true);
        jobSerializer = jobs.serializer();
        jobDeserializer = jobs.deserializer();
        resultSerializer = results.serializer();
        resultDeserializer = results.deserializer();
        job = TypicalRecords.job();
        result = TypicalRecords.result();
        jobBytes = jobSerializer.serialize(JOBS, job);
        resultBytes = resultSerializer.serialize(RESULTS, result);
        System.out.printf("%n# wire sizes: PromptJob %d B, JobResult %d B%n", jobBytes.length, resultBytes.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registry.close();
    }

    @Benchmark
    public byte[] serializePromptJob() {
        return jobSerializer.serialize(JOBS, job);
    }

    @Benchmark
    public PromptJob deserializePromptJob() {
        return jobDeserializer.deserialize(JOBS, jobBytes);
    }

    @Benchmark
    public byte[] serializeJobResult() {
        return resultSerializer.serialize(RESULTS, result);
    }

    @Benchmark
    public JobResult deserializeJobResult() {
        return resultDeserializer.deserialize(RESULTS, resultBytes);
    }
}
