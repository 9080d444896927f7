package io.promptq.aggregator.redrive;

import java.util.List;

/**
 * Where an action stands (running) or ended: dead letters matched, acted on ({@code done}: redriven or purged; in a
 * dry run, those that would be), and those refused with the reason (the first {@value #MAX_REFUSED} listed).
 */
public record ActionResult(String auditId, String action, boolean dryRun, boolean finished, long matched, long done,
        long refusedCount, List<Refusal> refused, String error) {

    /** Most refusals listed in an answer. */
    public static final int MAX_REFUSED = 1_000;

    public ActionResult {
        refused = List.copyOf(refused);
    }

    /** One dead letter not acted on, and why. */
    public record Refusal(String id, String reason) {}
}
