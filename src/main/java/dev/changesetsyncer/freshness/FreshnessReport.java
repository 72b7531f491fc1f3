package dev.changesetsyncer.freshness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints a simulation's results: Markdown tables for people, or JSON Lines for scripts. */
public final class FreshnessReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FreshnessReport() {}

    /** Every strategy with and without conditional requests, at every webhook share, for all changesets. */
    public static List<Figures> lines(Simulation.Results results) {
        List<Figures> lines = new ArrayList<>();
        for (RunResult run : results.runs()) {
            for (boolean conditional : new boolean[] {false, true}) {
                lines.add(Figures.of(run, RunResult.ALL, conditional, results.plan().days()));
            }
        }
        return lines;
    }

    /** One JSON object per strategy, conditional requests or not, and webhook share. */
    public static void json(Simulation.Results results, PrintStream out) {
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

    /** The tables of docs/freshness.md. */
    public static void text(Simulation.Results results, PrintStream out) {
        SimulationPlan plan = results.plan();
        out.printf(Locale.ROOT, "%,d changesets (%s), %d simulated days, seed %d: %,d changes on the host (%s)%n%n",
                plan.changesets(), byClass(results.changesets()), plan.days(), plan.seed(),
                results.changes().get(RunResult.ALL), byClass(results.changes()));

        out.println("Calls and staleness, all changesets (staleness: seconds from a change on the host to the start "
                + "of the sync that brings it in):");
        out.println();
        MarkdownTable main = new MarkdownTable("strategy", "conditional requests", "webhooks", "syncs / changeset / day",
                "billable calls / changeset / day", "304s / changeset / day", "billable calls / 1,000 changesets / h",
                "staleness p50", "p95", "p99", "max");
        for (Figures f : lines(results)) {
            main.add(f.strategy(), f.conditionalRequests() ? "yes" : "no", share(f.webhookShare()),
                    number(f.syncsPerChangesetDay()), number(f.billablePerChangesetDay()),
                    f.conditionalRequests() ? number(f.conditionalPerChangesetDay()) : "-",
                    number(f.billablePerThousandChangesetsHour()), duration(f.staleness().p50()),
                    duration(f.staleness().p95()), duration(f.staleness().p99()), duration(f.staleness().max()));
        }
        main.print(out);

        out.println();
        out.println("By changeset class (conditional requests on; staleness is the same without them):");
        out.println();
        MarkdownTable classes = new MarkdownTable("strategy", "webhooks", "class", "changesets", "changes",
                "syncs / changeset / day", "billable / changeset / day", "staleness p50", "p95", "p99", "max");
        for (RunResult run : results.runs()) {
            for (String label : run.byClass().keySet()) {
                if (label.equals(RunResult.ALL)) {
                    continue;
                }
                Figures f = Figures.of(run, label, true, plan.days());
                classes.add(run.strategy(), share(run.webhookShare()), label, String.format(Locale.ROOT, "%,d", f.changesets()),
                        String.format(Locale.ROOT, "%,d", f.staleness().changes()), number(f.syncsPerChangesetDay()),
                        number(f.billablePerChangesetDay()), duration(f.staleness().p50()), duration(f.staleness().p95()),
                        duration(f.staleness().p99()), duration(f.staleness().max()));
            }
        }
        classes.print(out);

        out.println();
        out.println("Other ways to fetch the same attempts (per changeset per day): REST with conditional requests and "
                + "a personal access token, REST with hourly app tokens (an ETag does not outlive its token), and "
                + "GitHub's GraphQL API in batches of up to 100 (points, a budget of 5,000 an hour of its own):");
        out.println();
        MarkdownTable other = new MarkdownTable("strategy", "webhooks", "REST billable (token)",
                "REST billable (hourly app tokens)", "REST without conditional requests", "GraphQL points");
        for (RunResult run : results.runs()) {
            Figures conditional = Figures.of(run, RunResult.ALL, true, plan.days());
            Figures plain = Figures.of(run, RunResult.ALL, false, plan.days());
            other.add(run.strategy(), share(run.webhookShare()), number(conditional.billablePerChangesetDay()),
                    number(conditional.billablePerChangesetDayAppToken()), number(plain.billablePerChangesetDay()),
                    number(conditional.graphqlPointsPerChangesetDay()));
        }
        other.print(out);

        out.println();
        for (RunResult run : results.runs()) {
            if (run.strategy().equals(Strategy.EveryTwoMinutes.NAME)) {
                Figures f = Figures.of(run, RunResult.ALL, false, plan.days());
                double syncsPerDay = f.syncsPerChangesetDay() * plan.changesets();
                double callsPerHour = (f.billablePerChangesetDay()) * plan.changesets() / 24;
                out.printf(Locale.ROOT, "every_2_min at %,d changesets: %,.0f syncs a day; %,.0f calls an hour without "
                                + "conditional requests, against GitHub's 5,000 an hour per token (%,.0f tokens).%n",
                        plan.changesets(), syncsPerDay, callsPerHour, Math.ceil(callsPerHour / Figures.GITHUB_REQUESTS_PER_HOUR));
                break;
            }
        }
        for (RunResult run : results.runs()) {
            if (!run.rule().isEmpty() && run.webhookShare() == plan.webhookShares().getFirst()) {
                out.println("rule of " + run.strategy() + ": " + run.rule());
            }
        }
        long unsynced = results.runs().stream().mapToLong(r -> r.all().staleness().unsynced()).max().orElse(0);
        if (unsynced > 0) {
            out.printf(Locale.ROOT, "WARNING: a strategy left up to %,d changes unsynced at the end (see unsynced_changes "
                    + "with --json); its staleness leaves them out.%n", unsynced);
        }
        out.printf(Locale.ROOT, "Run time: %.0f s (population %.1f s).%n", results.seconds(), results.populationSeconds());
    }

    private static String byClass(Map<String, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((label, count) -> {
            if (!label.equals(RunResult.ALL)) {
                parts.add(String.format(Locale.ROOT, "%s %,d", label, count));
            }
        });
        return String.join(", ", parts);
    }

    private static String share(double share) {
        return String.format(Locale.ROOT, "%.0f %%", share * 100);
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (value >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (value >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** Seconds as 45 s, 2.1 min, 3.4 h or 2.0 d. */
    static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "-";
        }
        if (seconds < 100) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        if (seconds < 6_000) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        }
        if (seconds < 172_800) {
            return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        }
        return String.format(Locale.ROOT, "%.1f d", seconds / 86_400);
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
