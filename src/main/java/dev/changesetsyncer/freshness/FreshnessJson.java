package dev.changesetsyncer.freshness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/**
 * Prints a simulation's results as JSON Lines, for scripts that compare runs: one object per strategy and
 * webhook share. Calls are counted as the client makes them, with conditional requests; the same attempts
 * without conditional requests, and with hourly app tokens, have fields of their own.
 */
public final class FreshnessJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FreshnessJson() {}

    public static void print(Simulation.Results results, PrintStream out) {
        int days = results.plan().days();
        for (RunResult run : results.runs()) {
            ObjectNode line = JSON.createObjectNode();
            line.put("strategy", run.strategy());
            line.put("webhook_share", run.webhookShare());
            line.put("days", days);
            line.put("seed", results.plan().seed());
            figures(line, run, RunResult.ALL, days);
            line.put("rule", run.rule());
            put(line, "run_seconds", run.seconds(), 1);
            ObjectNode byClass = line.putObject("by_class");
            for (String label : run.byClass().keySet()) {
                if (!label.equals(RunResult.ALL)) {
                    figures(byClass.putObject(label), run, label, days);
                }
            }
            out.println(line);
        }
    }

    private static void figures(ObjectNode node, RunResult run, String classLabel, int days) {
        Figures with = Figures.of(run, classLabel, true, days);
        Figures without = Figures.of(run, classLabel, false, days);
        node.put("changesets", with.changesets());
        put(node, "syncs_per_changeset_day", with.syncsPerChangesetDay(), 4);
        put(node, "failed_attempts_share", with.failedShare(), 5);
        put(node, "billable_calls_per_changeset_day", with.billablePerChangesetDay(), 4);
        put(node, "conditional_calls_per_changeset_day", with.conditionalPerChangesetDay(), 4);
        put(node, "billable_calls_per_1000_changesets_hour", with.billablePerThousandChangesetsHour(), 2);
        put(node, "billable_calls_per_changeset_day_without_conditional_requests", without.billablePerChangesetDay(), 4);
        put(node, "billable_calls_per_1000_changesets_hour_without_conditional_requests",
                without.billablePerThousandChangesetsHour(), 2);
        put(node, "billable_calls_per_changeset_day_app_token", with.billablePerChangesetDayAppToken(), 4);
        if (!Double.isNaN(with.graphqlPointsPerChangesetDay())) {
            put(node, "graphql_points_per_changeset_day", with.graphqlPointsPerChangesetDay(), 4);
        }
        Staleness s = with.staleness();
        node.put("changes", s.changes());
        node.put("unsynced_changes", s.unsynced());
        put(node, "staleness_p50_s", s.p50(), 1);
        put(node, "staleness_p95_s", s.p95(), 1);
        put(node, "staleness_p99_s", s.p99(), 1);
        put(node, "staleness_max_s", s.max(), 1);
    }

    /** A number rounded to {@code digits} decimals; null when there is none (JSON has no NaN). */
    private static void put(ObjectNode node, String name, double value, int digits) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            node.putNull(name);
            return;
        }
        double scale = Math.pow(10, digits);
        node.put(name, Math.round(value * scale) / scale);
    }
}
