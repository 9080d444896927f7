package io.promptq.aggregator.deadletters;

import java.util.Map;

/** How many dead letters the index holds per reason, model and tenant (all of them, whatever the page's filter). */
public record DeadLetterCounts(Map<String, Long> byReason, Map<String, Long> byModel, Map<String, Long> byTenant) {

    public DeadLetterCounts {
        byReason = Map.copyOf(byReason);
        byModel = Map.copyOf(byModel);
        byTenant = Map.copyOf(byTenant);
    }
}
