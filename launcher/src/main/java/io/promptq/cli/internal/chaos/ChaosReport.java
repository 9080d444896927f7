package io.promptq.cli.internal.chaos;

import io.promptq.local.LocalOpenAiStub;
import io.promptq.schema.JobStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a chaos run produced, measured against what it must: every accepted job exactly one committed result, no
 * provider call beyond what the faults justify, the aggregator's total equal to the distinct results, no lag.
 *
 * @param callsPerJobBase provider calls any job may take before its refused calls are added: 1, plus 1 if it was in
 *     flight or finished in the open transaction of a SIGKILLed worker (the kill aborts it, the job runs again); each
 *     call of the job a fault refused (503/429/401) entitles it to one more
 * @param lagAtEnd records not yet committed at the end, summed over {@code lagByGroup}
 * @param lagByGroup per consumer group of the deployment ("group on topics"): the workers on the jobs topic and the
 *     retry tiers, the aggregator's application id on the results topic
 * @param secondsToSettle from the end of the last fault to the last committed result
 * @param workerExitCodes exit status per worker, keyed "name (SIGKILL)" or "name (SIGTERM)"; a SIGTERM must give 0
 */
public record ChaosReport(int jobs, long seed, int accepted, long notAccepted, List<String> lost,
        int jobsWithDuplicateResults, int contradictoryResults, int distinctResults, int deadLetteredJobs, List<String> unjustifiedDeadLetters, int maxProviderCallsPerJob,
        long totalProviderCalls, int jobsOverCallBound, int callsPerJobBase, long aggregatorTotal, long lagAtEnd,
        Map<String, Long> lagByGroup, double secondsToSettle, double seconds, List<Fault> faults, Map<String, Integer> workerExitCodes,
        int poisonPillsWritten, Map<String, Integer> deadLetters) {

    /** One fault applied, {@code at} seconds after the run started. */
    public record Fault(double at, String what) {}

    static ChaosReport of(int jobs, long seed, Set<String> accepted, long notAccepted,
            Map<String, List<JobStatus>> results, LocalOpenAiStub stub, long aggregatorTotal, Map<String, Long> lagByGroup, double toSettle,
            List<Fault> faults, Map<String, Integer> exitCodes, int pills, Map<String, Integer> deadLetters,
            double seconds) {
        Set<String> lost = new TreeSet<>(accepted);
        lost.removeAll(results.keySet());
        int duplicates = 0;
        int contradictory = 0;
        for (List<JobStatus> statuses : results.values()) {
            if (statuses.size() > 1) {
                duplicates++;
                if (new HashSet<>(statuses).size() > 1) {
                    contradictory++;
                }
            }
        }
        Map<String, Integer> calls = stub.callsByJob();
        int max = 0;
        long total = 0;
        int over = 0;
        for (var e : calls.entrySet()) {
            max = Math.max(max, e.getValue());
            total += e.getValue();
            if (e.getValue() > 2 + stub.refused(e.getKey())) {
                over++;
            }
        }
        List<String> deadLetteredIds = results.entrySet().stream().filter(e -> e.getValue().contains(JobStatus.DEAD_LETTERED))
                .map(Map.Entry::getKey).sorted().toList();
        int deadLettered = deadLetteredIds.size();
        List<String> unjustified = deadLetteredIds.stream()
                .filter(id -> stub.transientFailures(id) < ChaosRun.MAX_ATTEMPTS).toList();
        int distinct = (int) results.keySet().stream().filter(accepted::contains).count();
        return new ChaosReport(jobs, seed, accepted.size(), notAccepted, new ArrayList<>(lost), duplicates, contradictory,
                distinct, deadLettered, unjustified, max, total, over, 2, aggregatorTotal,
                lagByGroup.values().stream().mapToLong(Long::longValue).sum(), Map.copyOf(lagByGroup), toSettle, seconds, faults, exitCodes, pills, deadLetters);
    }

    /** The checks the run must pass; empty if it passed. */
    public List<String> failures() {
        List<String> failures = new ArrayList<>();
        if (!lost.isEmpty()) {
            failures.add(lost.size() + " accepted jobs without a committed result: " + lost.subList(0, Math.min(20, lost.size())));
        }
        if (jobsWithDuplicateResults > 0) {
            failures.add(jobsWithDuplicateResults + " jobs with more than one committed result");
        }
        if (!unjustifiedDeadLetters.isEmpty()) {
            failures.add(unjustifiedDeadLetters.size() + " jobs dead-lettered without " + ChaosRun.MAX_ATTEMPTS
                    + " answers 503/429 (a 401 must never dead-letter): " + unjustifiedDeadLetters.subList(0, Math.min(20, unjustifiedDeadLetters.size())));
        }
        if (aggregatorTotal != distinctResults) {
            failures.add("aggregator total " + aggregatorTotal + " != distinct results " + distinctResults);
        }
        if (lagAtEnd != 0) {
            failures.add("consumer-group lag at the end: " + lagAtEnd);
        }
        workerExitCodes.forEach((worker, code) -> {
            if (worker.endsWith("(SIGTERM)") && code != 0) {
                failures.add(worker + " exited with " + code + " instead of 0 after draining");
            }
        });
        if (notAccepted > 0) {
            failures.add(notAccepted + " jobs never accepted by the producer");
        }
        return failures;
    }

    /** A two-column table for the terminal and the README. */
    public String table() {
        StringBuilder t = new StringBuilder();
        row(t, "jobs submitted", jobs);
        row(t, "accepted (202)", accepted);
        row(t, "distinct committed results", distinctResults);
        row(t, "lost", lost.size());
        row(t, "jobs dead-lettered (attempts spent on 503/429)", deadLetteredJobs - unjustifiedDeadLetters.size());
        row(t, "jobs dead-lettered otherwise", unjustifiedDeadLetters.size());
        row(t, "jobs with duplicate results", jobsWithDuplicateResults);
        row(t, "contradictory results", contradictoryResults);
        row(t, "provider calls (total)", totalProviderCalls);
        row(t, "max provider calls per job", maxProviderCallsPerJob);
        row(t, "jobs over the call bound", jobsOverCallBound);
        row(t, "aggregator total", aggregatorTotal);
        row(t, "poison pills written", poisonPillsWritten);
        row(t, "dead letters", deadLetters);
        row(t, "worker exit codes", workerExitCodes);
        row(t, "lag at end", lagAtEnd + " " + new java.util.TreeMap<>(lagByGroup));
        row(t, "seconds from last fault to settle", String.format(Locale.ROOT, "%.1f", secondsToSettle));
        row(t, "run seconds", String.format(Locale.ROOT, "%.1f", seconds));
        return t.toString();
    }

    private static void row(StringBuilder t, String name, Object value) {
        t.append(String.format(Locale.ROOT, "| %-46s | %s |%n", name, value));
    }

    /** The report as one JSON object. */
    public String toJson() {
        StringBuilder j = new StringBuilder("{");
        field(j, "jobs", jobs);
        field(j, "seed", seed);
        field(j, "accepted", accepted);
        field(j, "notAccepted", notAccepted);
        field(j, "lost", lost.size());
        j.append("\"lostIds\":[");
        for (int i = 0; i < lost.size(); i++) {
            j.append(i == 0 ? "" : ",").append(quote(lost.get(i)));
        }
        j.append("],");
        field(j, "jobsWithDuplicateResults", jobsWithDuplicateResults);
        field(j, "contradictoryResults", contradictoryResults);
        field(j, "distinctResults", distinctResults);
        field(j, "deadLetteredJobs", deadLetteredJobs);
        field(j, "unjustifiedDeadLetters", unjustifiedDeadLetters.size());
        field(j, "maxProviderCallsPerJob", maxProviderCallsPerJob);
        field(j, "totalProviderCalls", totalProviderCalls);
        field(j, "jobsOverCallBound", jobsOverCallBound);
        field(j, "aggregatorTotal", aggregatorTotal);
        field(j, "lagAtEnd", lagAtEnd);
        j.append("\"lagByGroup\":").append(map(lagByGroup)).append(',');
        field(j, "secondsToSettle", String.format(Locale.ROOT, "%.1f", secondsToSettle));
        field(j, "seconds", String.format(Locale.ROOT, "%.1f", seconds));
        field(j, "poisonPillsWritten", poisonPillsWritten);
        j.append("\"poisonPillsDeadLettered\":").append(map(deadLetters)).append(',');
        j.append("\"workerExitCodes\":").append(map(workerExitCodes)).append(',');
        j.append("\"faults\":[");
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            j.append(i == 0 ? "" : ",").append("{\"at\":").append(String.format(Locale.ROOT, "%.1f", f.at()))
                    .append(",\"what\":").append(quote(f.what())).append('}');
        }
        return j.append("]}").toString();
    }

    private static void field(StringBuilder j, String name, Object value) {
        j.append(quote(name)).append(':').append(value).append(',');
    }

    private static String map(Map<String, ? extends Number> m) {
        StringBuilder j = new StringBuilder("{");
        new TreeSet<>(m.keySet()).forEach(k -> j.append(j.length() > 1 ? "," : "").append(quote(k)).append(':').append(m.get(k)));
        return j.append('}').toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
