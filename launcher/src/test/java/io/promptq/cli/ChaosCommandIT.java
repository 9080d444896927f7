package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code ./promptq chaos} at CI size: 300 jobs through a producer, workers and an aggregator in JVMs of their own
 * while workers are SIGKILLed and scaled 1 -> 3 -> 1 with SIGTERM, the provider answers 503, 429 and 401, poison pills
 * land on the jobs topic, the aggregator is SIGKILLed and a broker of three stops for a while. The JSON report must
 * show no job lost, no lag, the aggregator's total equal to the distinct results and at most two provider calls per
 * job plus one per call a fault refused: one call, plus one if a SIGKILL aborted the transaction its outcome was in
 * (the worker finished it but never committed), plus one retry for every 503/429/401 answer (a 401 pauses the model
 * and the job runs again once it resumes; it is never an attempt that dead-letters).
 */
@Tag("chaos")
class ChaosCommandIT {

    @Test
    void chaosAtCiSizeLosesNoJobLeavesNoLagAndAggregatorCountsEachResultOnce() throws Exception {
        Path dir = Path.of("target", "chaos-command-it-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(dir);
        Path json = dir.resolve("report.json");
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new PromptqCli());
        cli.setOut(new PrintWriter(out, true));
        int status = cli.execute("chaos", "--jobs", "300", "--seed", "13", "--scale", "0.12", "--json", json.toString(),
                "--dir", dir.toString());
        System.out.println(out);

        String report = Files.readString(json);
        assertThat(number(report, "lost")).as(report).isZero();
        assertThat(number(report, "lagAtEnd")).as(report).isZero();
        assertThat(report).as("lag covers the workers on the jobs topic and the retry tiers, and the aggregator")
                .contains("\"promptq-workers on promptq.jobs,promptq.jobs.retry.1,promptq.jobs.retry.2,promptq.jobs.retry.3\":0",
                        "\"promptq-aggregator on promptq.results\":0");
        assertThat(Double.parseDouble(decimal(report, "secondsToSettle")))
                .as("results still arrive after the last fault: " + report).isPositive();
        assertThat(number(report, "accepted")).as(report).isEqualTo(300);
        assertThat(number(report, "distinctResults")).as(report).isEqualTo(300);
        assertThat(number(report, "aggregatorTotal")).as(report).isEqualTo(number(report, "distinctResults"));
        assertThat(number(report, "jobsWithDuplicateResults")).as(report).isZero();
        assertThat(number(report, "contradictoryResults")).as(report).isZero();
        assertThat(number(report, "jobsOverCallBound")).as(report).isZero();
        assertThat(number(report, "unjustifiedDeadLetters")).as("no job dead-lettered for a 401, nor before its attempts ran out: " + report).isZero();
        assertThat(report).as("SIGTERMed workers drain and exit 0").contains("(SIGTERM)\":0").doesNotContainPattern("\\(SIGTERM\\)\":[1-9]");
        assertThat(report).contains("SIGKILL worker", "SIGKILL aggregator", "provider 401", "poison pills", "SIGKILL broker", "stop the schema registry", "schema registry started");
        assertThat(status).as(out.toString()).isZero();
    }

    private static String decimal(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?\\d+\\.\\d+)").matcher(json);
        assertThat(m.find()).as(key + " in " + json).isTrue();
        return m.group(1);
    }

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?\\d+)").matcher(json);
        assertThat(m.find()).as(key + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }
}
