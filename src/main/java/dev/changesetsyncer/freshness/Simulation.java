package dev.changesetsyncer.freshness;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Runs a {@link SimulationPlan} on a migrated database of its own: generates the population into scratch
 * tables, replays every strategy at every webhook share with the schema's rule functions, and tallies calls
 * and staleness.
 */
public final class Simulation {
    /**
     * @param changesets changesets per class label, and under {@link RunResult#ALL}
     * @param changes changes on the host per class label, and under {@link RunResult#ALL}
     * @param populationSeconds generating and loading the population
     * @param seconds the whole simulation
     */
    public record Results(SimulationPlan plan, Map<String, Long> changesets, Map<String, Long> changes,
            List<RunResult> runs, double populationSeconds, double seconds) {}

    private Simulation() {}

    public static Results run(DataSource dataSource, SimulationPlan plan, Consumer<String> progress) throws SQLException {
        long started = System.nanoTime();
        RunWindow window = new RunWindow(RunWindow.DEFAULT_START, plan.days());
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            // the replay is one big statement: JIT would compile it for nothing, and sorts fit in memory
            ScratchTables.execute(connection, "SET jit = off");
            ScratchTables.execute(connection, "SET work_mem = '64MB'");
            ScratchTables.create(connection);
            ScratchTables.load(connection, new PopulationGenerator(plan.population(), plan.days()), plan.changesets(),
                    plan.seed(), window);
            Map<String, Long> changesets = new LinkedHashMap<>();
            Map<String, Long> changes = new LinkedHashMap<>();
            summarise(connection, changesets, changes);
            double populationSeconds = seconds(started);
            progress.accept(String.format(Locale.ROOT, "population: %,d changesets, %,d changes on the host in %d days "
                    + "(%.1f s)", changesets.get(RunResult.ALL), changes.get(RunResult.ALL), plan.days(), populationSeconds));

            Tally tally = new Tally(window, changesets, changes);
            Replays replays = new Replays(window, plan.seed());
            List<RunResult> runs = new ArrayList<>();
            for (Strategy strategy : plan.strategies()) {
                switch (strategy) {
                    case Strategy.EveryTwoMinutes every -> {
                        long runStarted = System.nanoTime();
                        replays.everyTwoMinutes(connection);
                        Map<String, ClassFigures> figures = tally.figures(connection);
                        double points = tally.graphqlPoints(connection);
                        double runSeconds = seconds(runStarted);
                        // webhooks change nothing when everything is synced every two minutes anyway
                        for (double share : plan.webhookShares()) {
                            runs.add(new RunResult(every.name(), "", share, figures, points, runSeconds));
                        }
                        progress.accept(done(every.name(), "any", runSeconds));
                    }
                    case Strategy.Rule rule -> {
                        RuleCall call = bind(connection, rule);
                        long baseStarted = System.nanoTime();
                        replays.ruleWithoutWebhooks(connection, call, rule.failureRate());
                        progress.accept(done(rule.name(), "0 (every changeset)", seconds(baseStarted)));
                        for (double share : plan.webhookShares()) {
                            long runStarted = System.nanoTime();
                            replays.rule(connection, call, share, rule.failureRate());
                            Map<String, ClassFigures> figures = tally.figures(connection);
                            double points = tally.graphqlPoints(connection);
                            double runSeconds = seconds(runStarted);
                            runs.add(new RunResult(rule.name(), call.describe(), share, figures, points, runSeconds));
                            progress.accept(done(rule.name(), Double.toString(share), runSeconds));
                        }
                    }
                }
            }
            return new Results(plan, changesets, changes, runs, populationSeconds, seconds(started));
        }
    }

    private static RuleCall bind(Connection connection, Strategy.Rule rule) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM code_hosts WHERE name = ?")) {
            delete.setString(1, "freshness-" + rule.name());
            delete.executeUpdate();
        }
        return RuleCall.bind(connection, rule.function(), StrategyHost.create(connection, rule));
    }

    private static void summarise(Connection connection, Map<String, Long> changesets, Map<String, Long> changes)
            throws SQLException {
        for (ChangesetClass type : ChangesetClass.values()) {
            changesets.put(type.label(), 0L);
            changes.put(type.label(), 0L);
        }
        try (PreparedStatement select = connection.prepareStatement(SqlTemplate.load("population-summary.sql"));
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                String label = rows.getString("class") == null ? RunResult.ALL : rows.getString("class");
                changesets.put(label, rows.getLong("changesets"));
                changes.put(label, rows.getLong("changes"));
            }
        }
    }

    private static String done(String strategy, String share, double seconds) {
        return String.format(Locale.ROOT, "%s, webhook share %s: %.1f s", strategy, share, seconds);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
