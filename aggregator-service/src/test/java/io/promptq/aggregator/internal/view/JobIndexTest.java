package io.promptq.aggregator.internal.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.aggregator.JobSummary;
import io.promptq.aggregator.JobView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class JobIndexTest {

    private static final long T = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();

    @Test
    void keysOrderATenantsJobsNewestFirstThenByJobIdAndApartFromOtherTenants() {
        TreeMap<Bytes, String> index = new TreeMap<>();
        index.put(JobIndex.key("acme", T, "b"), "acme t b");
        index.put(JobIndex.key("acme", T, "a"), "acme t a");
        index.put(JobIndex.key("acme", T + 1, "z"), "acme t+1 z");
        index.put(JobIndex.key("acme", T - 60_000, "c"), "acme t-1m c");
        index.put(JobIndex.key("acm", T + 5, "x"), "acm");
        index.put(JobIndex.key("acmex", T + 5, "x"), "acmex");
        index.put(JobIndex.key("globex", T, "a"), "globex");

        assertThat(scan(index, "acme", null, 0)).containsExactly("acme t+1 z", "acme t a", "acme t b", "acme t-1m c");
        assertThat(scan(index, "acme", null, T)).containsExactly("acme t+1 z", "acme t a", "acme t b");
        assertThat(scan(index, "acme", null, T + 1)).containsExactly("acme t+1 z");
        assertThat(scan(index, "acme", JobIndex.position(T, "a"), 0)).containsExactly("acme t b", "acme t-1m c");
        assertThat(scan(index, "acme", JobIndex.position(T - 60_000, "c"), 0)).isEmpty();
    }

    @Test
    void aPositionNamesItsJobAndListingTime() {
        byte[] position = JobIndex.position(T, "job-ü");
        assertThat(JobIndex.jobIdOf(position)).isEqualTo("job-ü");
        assertThat(JobIndex.listedAtOf(position)).isEqualTo(T);
        assertThat(JobIndex.positionOf("acme", JobIndex.key("acme", T, "job-ü"))).isEqualTo(position);
    }

    @Test
    void aSummaryKeepsStateVersionModelAndTimes() {
        JobView.Result result = new JobView.Result("SUCCEEDED", "gpt-4o-mini", "out", "stop", 1, 2, 1, List.of(5L), 1,
                5, 9, null, "2026-12-02T10:00:09Z");
        JobView done = new JobView("j", "acme", "SUCCEEDED", JobView.TERMINAL, true,
                List.of(new JobView.Change(JobView.TERMINAL, "SUCCEEDED", "2026-12-02T10:00:09Z", 1, "w", null, null)),
                result);
        JobSummary summary = JobIndex.decode("acme", JobIndex.position(T, "j"), JobIndex.encode(done));
        assertThat(summary).isEqualTo(new JobSummary("j", "acme", "SUCCEEDED", JobView.TERMINAL, "gpt-4o-mini",
                "2026-12-02T10:00:00Z", "2026-12-02T10:00:09Z", "2026-12-02T10:00:09Z"));

        JobView queued = new JobView("q", "acme", "QUEUED", 0, false,
                List.of(new JobView.Change(0, "QUEUED", "2026-12-02T10:00:00Z", 0, null, null, null)), null);
        assertThat(JobIndex.decode("acme", JobIndex.position(T, "q"), JobIndex.encode(queued)))
                .isEqualTo(new JobSummary("q", "acme", "QUEUED", 0, null, "2026-12-02T10:00:00Z",
                        "2026-12-02T10:00:00Z", null));
    }

    @Test
    void aStoredViewKeepsItsListingTimeAndOlderViewsHaveNone() {
        JobView queued = new JobView("q", "acme", "QUEUED", 0, false,
                List.of(new JobView.Change(0, "QUEUED", "2026-12-02T10:00:00Z", 0, null, null, null)), null);
        byte[] v2 = StoredViewCodec.encode(queued, T);
        assertThat(StoredViewCodec.listedAt(v2)).isEqualTo(T);
        assertThat(StoredViewCodec.decode("q", v2)).isEqualTo(queued);
        byte[] v1 = StoredViewCodec.encode(queued);
        assertThat(StoredViewCodec.listedAt(v1)).isEqualTo(JobIndex.NO_TIME);
        assertThat(StoredViewCodec.decode("q", v1)).isEqualTo(queued);
    }

    private static List<String> scan(TreeMap<Bytes, String> index, String tenant, byte[] after, long since) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<Bytes, String> e : index.subMap(JobIndex.from(tenant, after), true, JobIndex.to(tenant, since),
                true).entrySet()) {
            found.add(e.getValue());
        }
        return found;
    }
}
