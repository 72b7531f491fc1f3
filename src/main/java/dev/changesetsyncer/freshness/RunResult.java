package dev.changesetsyncer.freshness;

import java.util.Map;

/**
 * One strategy at one webhook share.
 *
 * @param rule the rule function and the settings it was called with ("" for every_2_min)
 * @param byClass figures per changeset class label, and under {@link #ALL} for all changesets
 * @param graphqlPoints the same attempts fetched in GraphQL batches: GitHub's points for the run
 * @param seconds how long the replay and its tally took
 */
public record RunResult(String strategy, String rule, double webhookShare, Map<String, ClassFigures> byClass,
        double graphqlPoints, double seconds) {
    public static final String ALL = "all";

    public ClassFigures all() {
        return byClass.get(ALL);
    }
}
