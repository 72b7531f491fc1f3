package dev.changesetsyncer.freshness;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Fills {@code freshness.attempts} with one strategy's attempts at one webhook share. */
final class Replays {
    private final RunWindow window;
    private final long seed;

    Replays(RunWindow window, long seed) {
        this.window = window;
        this.seed = seed;
    }

    /** every_2_min, in closed form (webhooks change nothing). */
    void everyTwoMinutes(Connection connection) throws SQLException {
        ScratchTables.execute(connection, "TRUNCATE freshness.attempts");
        ScratchTables.execute(connection, SqlTemplate.render("every-2-min.sql", window.sqlValues()));
    }

    /**
     * A rule strategy without webhooks, for every changeset, into {@code freshness.attempts_without_webhooks}:
     * what {@link #rule} starts from.
     */
    void ruleWithoutWebhooks(Connection connection, RuleCall rule, double failureRate) throws SQLException {
        ScratchTables.execute(connection, "TRUNCATE freshness.attempts_without_webhooks");
        ScratchTables.execute(connection, replay(rule, 0, failureRate, "freshness.attempts_without_webhooks", "true"));
    }

    /**
     * A rule strategy at a webhook share: the changesets with no change arriving as a webhook at that share have
     * the attempts they have without webhooks; the others are replayed.
     */
    void rule(Connection connection, RuleCall rule, double webhookShare, double failureRate) throws SQLException {
        String withWebhooks = "EXISTS (SELECT 1 FROM freshness.changes ch WHERE ch.changeset_id = c.id AND ch.webhook_draw < "
                + number(webhookShare) + ")";
        ScratchTables.execute(connection, "TRUNCATE freshness.attempts");
        ScratchTables.execute(connection, "INSERT INTO freshness.attempts SELECT a.* FROM freshness.attempts_without_webhooks a "
                + "JOIN freshness.changesets c ON c.id = a.changeset_id WHERE NOT " + withWebhooks);
        if (webhookShare > 0) {
            ScratchTables.execute(connection, replay(rule, webhookShare, failureRate, "freshness.attempts", withWebhooks));
        }
    }

    private String replay(RuleCall rule, double webhookShare, double failureRate, String into, String replayed) {
        Map<String, String> values = new HashMap<>(window.sqlValues());
        values.put("rule_s0", rule.render("s0"));
        values.put("rule_s", rule.render("s"));
        values.put("share", number(webhookShare));
        values.put("attempt_succeeds", failureRate == 0 ? "true"
                : "(hashint8extended(w.changeset_id, " + seed + " # w.step_no) & 1048575) >= "
                        + Math.round(failureRate * 1_048_576));
        // a guard against a rule that never lets time advance: far more steps than syncs every 10 s would take
        values.put("max_steps", Long.toString((long) window.days() * 86_400 / 10));
        values.put("attempts", into);
        values.put("replayed", replayed);
        return SqlTemplate.render("replay.sql", values);
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }
}
