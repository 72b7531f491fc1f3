package dev.changesetsyncer.freshness;

import dev.changesetsyncer.db.DatabaseErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A rule strategy's own row in {@code code_hosts}: inserted with the column defaults, then given the
 * strategy's settings, so the schema's constraints judge them and its defaults are the real ones.
 */
final class StrategyHost {
    /** A column of the row: its SQL type and its value as Postgres prints it (null for NULL). */
    record Column(String type, String value) {
        String literal() {
            return value == null ? "NULL::" + type : "'" + value.replace("'", "''") + "'::" + type;
        }
    }

    private StrategyHost() {}

    /** @return the row's columns by name */
    static Map<String, Column> create(Connection connection, Strategy.Rule rule) throws SQLException {
        Map<String, String> types = columnTypes(connection);
        long id;
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO code_hosts (name, kind, base_url) VALUES (?, 'simulated', 'https://freshness.example.test') "
                        + "RETURNING id")) {
            insert.setString(1, "freshness-" + rule.name());
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                id = row.getLong(1);
            }
        }
        if (!rule.hostSettings().isEmpty()) {
            settle(connection, rule, id, types);
        }
        Map<String, Column> columns = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT j.key, j.value FROM code_hosts h, jsonb_each_text(to_jsonb(h)) j WHERE h.id = ?")) {
            select.setLong(1, id);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    columns.put(rows.getString(1), new Column(types.get(rows.getString(1)), rows.getString(2)));
                }
            }
        }
        return columns;
    }

    /** All settings in one statement: the constraints relate them, so one at a time could be refused midway. */
    private static void settle(Connection connection, Strategy.Rule rule, long id, Map<String, String> types)
            throws SQLException {
        List<String> assignments = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> setting : new TreeMap<>(rule.hostSettings()).entrySet()) {
            String type = types.get(setting.getKey());
            if (type == null || setting.getKey().equals("id") || setting.getKey().equals("name")) {
                throw new IllegalArgumentException("code_hosts has no setting " + setting.getKey() + " (strategy "
                        + rule.name() + "); settings are columns such as min_sync_delay, max_sync_delay, "
                        + "checks_pending_max_delay, finished_max_delay");
            }
            // the column name comes from the catalog, the value is a parameter
            assignments.add(setting.getKey() + " = CAST(? AS " + type + ")");
            values.add(setting.getValue());
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE code_hosts SET " + String.join(", ", assignments) + " WHERE id = ?")) {
            for (int i = 0; i < values.size(); i++) {
                update.setString(i + 1, values.get(i));
            }
            update.setLong(values.size() + 1, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalArgumentException("strategy " + rule.name() + ": the settings " + new TreeMap<>(rule.hostSettings())
                    + " are refused: " + DatabaseErrors.brief(e), e);
        }
    }

    private static Map<String, String> columnTypes(Connection connection) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod)
                  FROM pg_attribute a
                 WHERE a.attrelid = 'code_hosts'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                 ORDER BY a.attnum""");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                types.put(rows.getString(1), rows.getString(2));
            }
        }
        return types;
    }
}
