package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.cli.internal.BatchProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Parsing of {@code ./promptq batch} and how it renders Batch objects, without a server. */
class BatchCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void submitParsesTheFileTheWaitFlagTheWindowAndRepeatedMetadataWithTheLocalProducerAsDefault() {
        CommandLine.ParseResult parsed = PromptqCli.commandLine().parseArgs("batch", "submit", "in.jsonl", "--wait",
                "--metadata", "team=eval", "--metadata", "run=7");
        BatchCommand.SubmitCommand submit = (BatchCommand.SubmitCommand) parsed.subcommand().subcommand()
                .commandSpec().userObject();

        assertThat(submit.file).isEqualTo(Path.of("in.jsonl"));
        assertThat(submit.wait).isTrue();
        assertThat(submit.window).isEqualTo("24h");
        assertThat(submit.metadata).containsExactly(java.util.Map.entry("team", "eval"), java.util.Map.entry("run", "7"));
        if (System.getenv("PROMPTQ_PRODUCER_URL") == null) {
            assertThat(submit.connection.url).isEqualTo("http://127.0.0.1:8080");
        }
    }

    @Test
    void resultsRequiresAnOutputFile() {
        StringWriter err = new StringWriter();
        CommandLine cli = PromptqCli.commandLine();
        cli.setErr(new PrintWriter(err));

        assertThat(cli.execute("batch", "results", "batch_x")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--output=FILE'");
    }

    @Test
    void theProgressLineShowsStatusCountsABarTheRateAndTheEta() throws Exception {
        JsonNode running = json("""
                {"id":"batch_1","status":"in_progress","request_counts":{"total":1000,"completed":490,"failed":10}}""");

        assertThat(BatchProgress.line(running, 50.0)).isEqualTo(
                "in_progress 500/1000 (490 ok, 10 failed) [###############---------------]  50% 50.0 lines/s ETA 10s");
        assertThat(BatchProgress.line(running, -1)).doesNotContain("lines/s");
    }

    @Test
    void aValidatingBatchHasAnEmptyBarAndAFinishedOneNoEta() throws Exception {
        assertThat(BatchProgress.line(json("""
                {"status":"validating","request_counts":{"total":0,"completed":0,"failed":0}}"""), -1))
                .isEqualTo("validating  0/0 (0 ok, 0 failed) [------------------------------]   0%");
        assertThat(BatchProgress.line(json("""
                {"status":"completed","request_counts":{"total":4,"completed":3,"failed":1}}"""), 2.0))
                .endsWith("[##############################] 100% 2.0 lines/s");
    }

    @Test
    void theSummaryNamesFilesUsageAndLineNumberedErrors() throws Exception {
        JsonNode failed = json("""
                {"id":"batch_1","status":"failed","input_file_id":"file-1","output_file_id":null,"error_file_id":null,
                 "created_at":1764662400,"failed_at":1764662401,
                 "request_counts":{"total":0,"completed":0,"failed":0},
                 "errors":{"object":"list","data":[{"code":"duplicate_custom_id","message":"custom_id r-1 is used twice",
                   "param":"custom_id","line":7}]}}""");

        assertThat(BatchProgress.summary(failed)).contains("status       failed", "failed       2025-12-02T08:00:01Z",
                "output file  -", "  line 7: custom_id r-1 is used twice (duplicate_custom_id)");
    }
}
