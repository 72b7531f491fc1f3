package dev.changesetsyncer.freshness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints a simulation's results as the Markdown tables of docs/freshness.md. */
public final class FreshnessReport {
    private FreshnessReport() {}

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
        for (Figures f : Figures.forAll(results)) {
            if (repeated(f.strategy(), f.webhookShare(), plan)) {
                continue;
            }
            main.add(f.strategy(), f.conditionalRequests() ? "yes" : "no", webhooks(f.strategy(), f.webhookShare()),
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
                if (label.equals(RunResult.ALL) || repeated(run.strategy(), run.webhookShare(), plan)) {
                    continue;
                }
                Figures f = Figures.of(run, label, true, plan.days());
                classes.add(run.strategy(), webhooks(run.strategy(), run.webhookShare()), label, String.format(Locale.ROOT, "%,d", f.changesets()),
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
            if (repeated(run.strategy(), run.webhookShare(), plan)) {
                continue;
            }
            Figures conditional = Figures.of(run, RunResult.ALL, true, plan.days());
            Figures plain = Figures.of(run, RunResult.ALL, false, plan.days());
            other.add(run.strategy(), webhooks(run.strategy(), run.webhookShare()), number(conditional.billablePerChangesetDay()),
                    number(conditional.billablePerChangesetDayAppToken()), number(plain.billablePerChangesetDay()),
                    number(conditional.graphqlPointsPerChangesetDay()));
        }
        other.print(out);

        out.println();
        for (RunResult run : results.runs()) {
            if (run.strategy().equals(Strategy.EveryTwoMinutes.NAME)) {
                Figures plain = Figures.of(run, RunResult.ALL, false, plan.days());
                Figures conditional = Figures.of(run, RunResult.ALL, true, plan.days());
                double syncsPerHour = plain.syncsPerChangesetDay() * plan.changesets() / 24;
                double callsPerHour = plain.billablePerChangesetDay() * plan.changesets() / 24;
                double requestsPerHour = (conditional.billablePerChangesetDay() + conditional.conditionalPerChangesetDay())
                        * plan.changesets() / 24;
                out.printf(Locale.ROOT, "every_2_min at %,d changesets: %,.0f syncs a day, %,.0f an hour; %,.0f calls an "
                                + "hour without conditional requests against GitHub's 5,000 an hour per token (%,.0f tokens); "
                                + "with them still %,.0f requests an hour, 304s included.%n",
                        plan.changesets(), syncsPerHour * 24, syncsPerHour, callsPerHour,
                        Math.ceil(callsPerHour / Figures.GITHUB_REQUESTS_PER_HOUR), requestsPerHour);
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

    /** every_2_min ignores webhooks: its figures are shown once, for "any" share. */
    private static boolean repeated(String strategy, double share, SimulationPlan plan) {
        return strategy.equals(Strategy.EveryTwoMinutes.NAME) && share != plan.webhookShares().getFirst();
    }

    private static String webhooks(String strategy, double share) {
        return strategy.equals(Strategy.EveryTwoMinutes.NAME) ? "any" : share(share);
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
}
