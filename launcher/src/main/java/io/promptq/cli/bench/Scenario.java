package io.promptq.cli.bench;

import java.util.Locale;

/** The scenarios of {@code promptq bench}, in the order they run. */
public enum Scenario {
    /** Raw Kafka produce + consume of job-sized records: the baseline. */
    RAW("raw Kafka baseline"),
    /** No-op jobs (0 ms provider) end to end, aggregator running. */
    NOOP("no-op jobs"),
    /** P × K permits against a fixed-latency provider: efficiency. */
    LATENCY("latency-bound efficiency"),
    /** Submit → provider call at half of saturation. */
    ADDED_LATENCY("added latency"),
    /** 1, 2, 3 workers each capped: throughput ratios. */
    SCALING("worker scaling"),
    /** Heap of one worker holding 10,000 jobs in flight. */
    MEMORY("heap per in-flight job");

    private final String title;

    Scenario(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    /** The CLI name, e.g. {@code added-latency}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a CLI name ({@code raw}, {@code noop}, {@code latency}, {@code added-latency}, {@code scaling}, {@code memory}). */
    public static Scenario parse(String text) {
        for (Scenario s : values()) {
            if (s.cliName().equalsIgnoreCase(text.trim()) || s.name().equalsIgnoreCase(text.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + text + "'; expected one of raw, noop, latency, "
                + "added-latency, scaling, memory");
    }
}
