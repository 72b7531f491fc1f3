package dev.changesetsyncer.freshness;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of the report: a strategy, with or without conditional requests, at one webhook share, normalised
 * per changeset and day.
 *
 * @param billablePerChangesetDay calls that count against GitHub's primary limit
 * @param conditionalPerChangesetDay conditional calls answered 304 (0 without conditional requests)
 * @param billablePerChangesetDayAppToken with hourly app tokens, whose ETags do not outlive them
 * @param graphqlPointsPerChangesetDay the same attempts fetched in GraphQL batches (no 304s there)
 */
public record Figures(String strategy, boolean conditionalRequests, double webhookShare, long changesets, int days,
        double syncsPerChangesetDay, double failedShare, double billablePerChangesetDay,
        double conditionalPerChangesetDay, double billablePerChangesetDayAppToken, double graphqlPointsPerChangesetDay,
        Staleness staleness) {
    /** GitHub's primary limit for a personal access token or an app installation, per hour. */
    public static final double GITHUB_REQUESTS_PER_HOUR = 5_000;

    /** Every strategy with and without conditional requests, at every webhook share, for all changesets. */
    public static List<Figures> forAll(Simulation.Results results) {
        List<Figures> lines = new ArrayList<>();
        for (RunResult run : results.runs()) {
            for (boolean conditional : new boolean[] {false, true}) {
                lines.add(of(run, RunResult.ALL, conditional, results.plan().days()));
            }
        }
        return lines;
    }

    static Figures of(RunResult run, String classLabel, boolean conditionalRequests, int days) {
        ClassFigures figures = run.byClass().get(classLabel);
        Calls calls = figures.calls();
        double changesetDays = Math.max(1, figures.changesets()) * (double) days;
        double billable = conditionalRequests ? calls.billable() : calls.billableWithoutConditional();
        return new Figures(run.strategy(), conditionalRequests, run.webhookShare(), figures.changesets(), days,
                calls.attempts() / changesetDays, calls.attempts() == 0 ? 0 : calls.failed() / (double) calls.attempts(),
                billable / changesetDays, conditionalRequests ? calls.conditional() / changesetDays : 0,
                (conditionalRequests ? calls.billableAppToken() : calls.billableWithoutConditional()) / changesetDays,
                classLabel.equals(RunResult.ALL) ? run.graphqlPoints() / changesetDays : Double.NaN,
                figures.staleness());
    }

    /** Billable calls per hour for 1,000 changesets: compare with {@link #GITHUB_REQUESTS_PER_HOUR} per token. */
    public double billablePerThousandChangesetsHour() {
        return billablePerChangesetDay * 1000 / 24;
    }

    /** Changesets one token's 5,000 requests an hour can keep synced this way. */
    public double changesetsPerToken() {
        return billablePerChangesetDay == 0 ? Double.POSITIVE_INFINITY
                : GITHUB_REQUESTS_PER_HOUR * 24 / billablePerChangesetDay;
    }
}
