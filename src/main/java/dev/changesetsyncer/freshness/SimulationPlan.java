package dev.changesetsyncer.freshness;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to simulate.
 *
 * @param changesets how many changesets
 * @param days simulated days
 * @param seed draws the population, its changes and the failures: the same seed, the same history
 * @param webhookShares each rule strategy runs once per share of changes that also arrive as webhooks
 * @param strategies every_2_min and rule strategies, in report order
 */
public record SimulationPlan(long changesets, int days, long seed, Population population, List<Double> webhookShares,
        List<Strategy> strategies) {
    /** Attempts that fail with the project's defaults (a 5xx or a timeout); unsourced, see docs/freshness.md. */
    public static final double DEFAULT_FAILURE_RATE = 0.005;

    public SimulationPlan {
        if (changesets < 1 || changesets > 10_000_000) {
            throw new IllegalArgumentException("changesets must be between 1 and 10,000,000, got " + changesets);
        }
        new RunWindow(RunWindow.DEFAULT_START, days);
        Objects.requireNonNull(population, "population");
        webhookShares = List.copyOf(webhookShares);
        strategies = List.copyOf(strategies);
        if (webhookShares.isEmpty() || strategies.isEmpty()) {
            throw new IllegalArgumentException("give at least one webhook share and one strategy");
        }
        for (double share : webhookShares) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("a webhook share is between 0 and 1, got " + share);
            }
        }
        if (strategies.stream().map(Strategy::name).distinct().count() != strategies.size()) {
            throw new IllegalArgumentException("two strategies have the same name");
        }
    }

    /**
     * The standard comparison: every_2_min, design and defaults (then the candidates), at webhook shares 0, 0.5
     * and 1, on the default population.
     */
    public static SimulationPlan standard(long changesets, int days, long seed, double failureRate,
            List<Strategy.Rule> candidates) {
        List<Strategy> strategies = new ArrayList<>(List.of(new Strategy.EveryTwoMinutes(), Strategy.design(),
                Strategy.defaults(failureRate)));
        strategies.addAll(candidates);
        return new SimulationPlan(changesets, days, seed, Population.DEFAULTS, List.of(0.0, 0.5, 1.0), strategies);
    }

    public SimulationPlan withPopulation(Population value) {
        return new SimulationPlan(changesets, days, seed, value, webhookShares, strategies);
    }

    public SimulationPlan withWebhookShares(List<Double> value) {
        return new SimulationPlan(changesets, days, seed, population, value, strategies);
    }
}
