package dev.changesetsyncer.freshness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/** Prints a simulation's results as JSON Lines, for scripts that compare runs. */
public final class FreshnessJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FreshnessJson() {}

    /** One JSON object per strategy, conditional requests or not, and webhook share. */
    public static void print(Simulation.Results results, PrintStream out) {
        for (RunResult run : results.runs()) {
            for (boolean conditional : new boolean[] {false, true}) {
                Figures all = Figures.of(run, RunResult.ALL, conditional, results.plan().days());
                ObjectNode line = figures(all);
                line.put("seed", results.plan().seed());
                line.put("rule", run.rule());
                put(line, "run_seconds", run.seconds(), 1);
                ObjectNode byClass = line.putObject("by_class");
                for (String label : run.byClass().keySet()) {
                    if (!label.equals(RunResult.ALL)) {
                        byClass.set(label, figures(Figures.of(run, label, conditional, results.plan().days())));
                    }
                }
                out.println(line);
            }
        }
    }

    private static ObjectNode figures(Figures f) {
        ObjectNode node = JSON.createObjectNode();
        node.put("strategy", f.strategy());
        node.put("conditional_requests", f.conditionalRequests());
        node.put("webhook_share", f.webhookShare());
        node.put("changesets", f.changesets());
        node.put("days", f.days());
        put(node, "syncs_per_changeset_day", f.syncsPerChangesetDay(), 4);
        put(node, "failed_attempts_share", f.failedShare(), 5);
        put(node, "billable_calls_per_changeset_day", f.billablePerChangesetDay(), 4);
        put(node, "conditional_calls_per_changeset_day", f.conditionalPerChangesetDay(), 4);
        put(node, "billable_calls_per_1000_changesets_hour", f.billablePerThousandChangesetsHour(), 2);
        put(node, "billable_calls_per_changeset_day_app_token", f.billablePerChangesetDayAppToken(), 4);
        if (!Double.isNaN(f.graphqlPointsPerChangesetDay())) {
            put(node, "graphql_points_per_changeset_day", f.graphqlPointsPerChangesetDay(), 4);
        }
        Staleness s = f.staleness();
        node.put("changes", s.changes());
        node.put("unsynced_changes", s.unsynced());
        put(node, "staleness_p50_s", s.p50(), 1);
        put(node, "staleness_p95_s", s.p95(), 1);
        put(node, "staleness_p99_s", s.p99(), 1);
        put(node, "staleness_max_s", s.max(), 1);
        return node;
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
