package io.promptq.cli.bench;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The scenarios of {@code promptq bench}, in the order they run. */
public enum Scenario {
    /** Raw Kafka produce + consume of job-sized records: the baseline. */
    RAW("raw Kafka baseline"),
    /** No-op jobs (0 ms provider) end to end, aggregator running. */
    NOOP("no-op jobs"),
    /**
     * Opt-in: the no-op jobs again with job states off (no QUEUED from the client, no RUNNING/RETRYING from the
     * worker), for the status-change overhead as a ratio against {@link #NOOP} of the same run.
     */
    NOOP_NO_STATES("no-op jobs, job states off", true),
    /** P × K permits against a fixed-latency provider: efficiency. */
    LATENCY("latency-bound efficiency"),
    /** Submit → provider call at half of saturation. */
    ADDED_LATENCY("added latency"),
    /** 1, 2, 3 workers each capped: throughput ratios. */
    SCALING("worker scaling"),
    /** Heap of one worker holding 10,000 jobs in flight. */
    MEMORY("heap per in-flight job");

    private final String title;
    private final boolean optIn;

    Scenario(String title) {
        this(title, false);
    }

    Scenario(String title, boolean optIn) {
        this.title = title;
        this.optIn = optIn;
    }

    /** The scenarios a run without {@code --scenario} runs: all but the opt-in ones. */
    public static Set<Scenario> defaults() {
        Set<Scenario> all = EnumSet.allOf(Scenario.class);
        all.removeIf(s -> s.optIn);
        return all;
    }

    public String title() {
        return title;
    }

    /** The CLI name, e.g. {@code added-latency}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a CLI name ({@code raw}, {@code noop}, {@code noop-no-states}, {@code latency}, {@code added-latency},
     * {@code scaling}, {@code memory}).
     */
    public static Scenario parse(String text) {
        for (Scenario s : values()) {
            if (s.cliName().equalsIgnoreCase(text.trim()) || s.name().equalsIgnoreCase(text.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + text + "'; expected one of raw, noop, latency, "
                + "added-latency, scaling, memory, noop-no-states");
    }
}
