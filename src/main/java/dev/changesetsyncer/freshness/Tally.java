package dev.changesetsyncer.freshness;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Counts the calls and measures the staleness of the attempts in {@code freshness.attempts}. */
final class Tally {
    private final RunWindow window;
    private final Map<String, Long> changesets;
    private final Map<String, Long> changes;

    /**
     * @param changesets changesets per class label (and {@link RunResult#ALL})
     * @param changes changes on the host per class label (and {@link RunResult#ALL})
     */
    Tally(RunWindow window, Map<String, Long> changesets, Map<String, Long> changes) {
        this.window = window;
        this.changesets = changesets;
        this.changes = changes;
    }

    Map<String, ClassFigures> figures(Connection connection) throws SQLException {
        Map<String, Calls> calls = new HashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(SqlTemplate.render("tally-calls.sql", window.sqlValues()))) {
            while (rows.next()) {
                calls.put(label(rows.getString("class")), new Calls(rows.getLong("attempts"), rows.getLong("failed"),
                        rows.getLong("billable"), rows.getLong("conditional"), rows.getLong("billable_without_conditional"),
                        rows.getLong("billable_app_token"), rows.getLong("conditional_app_token")));
            }
        }
        Map<String, Staleness> staleness = new HashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(SqlTemplate.render("tally-staleness.sql", window.sqlValues()))) {
            while (rows.next()) {
                String label = label(rows.getString("class"));
                long total = changes.getOrDefault(label, 0L);
                staleness.put(label, new Staleness(total, total - rows.getLong("synced"), rows.getDouble("p50"),
                        rows.getDouble("p95"), rows.getDouble("p99"), rows.getDouble("max")));
            }
        }
        Map<String, ClassFigures> figures = new LinkedHashMap<>();
        for (Map.Entry<String, Long> group : changesets.entrySet()) {
            String label = group.getKey();
            figures.put(label, new ClassFigures(group.getValue(), calls.getOrDefault(label, Calls.NONE),
                    staleness.getOrDefault(label, Staleness.none(changes.getOrDefault(label, 0L)))));
        }
        return figures;
    }

    double graphqlPoints(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(SqlTemplate.render("tally-graphql.sql", window.sqlValues()))) {
            row.next();
            return row.getDouble("points");
        }
    }

    private static String label(String sqlClass) {
        return sqlClass == null ? RunResult.ALL : sqlClass;
    }
}
