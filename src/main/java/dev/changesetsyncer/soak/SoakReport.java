package dev.changesetsyncer.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a soak run found. The invariants are {@link #overlaps}, {@link #lost} and
 * {@link #unservedRequests}: each must be 0 for the run to pass. Everything else is measured and
 * reported, and the {@link #findings} name what deserves a look without failing the run.
 *
 * @param replicas replicas kept alive
 * @param durationSeconds how long faults ran
 * @param syncs syncs the host saw (one per claim), warm-up and drain included
 * @param syncsPerSecond mean rate while faults ran
 * @param overlaps one changeset fetched by two syncs at once, as the host saw it
 * @param lost changesets owed a sync for longer than {@code lostAfterSeconds}
 * @param requests sync requests the soak inserted
 * @param unservedRequests of those, not served after the drain
 * @param requestLatencyMillis p50, p99 and max of the served ones
 * @param fenced write-backs the database refused because the claim had been lost (expected after pauses and outages)
 * @param cancelled syncs replicas gave up because their lease could not be kept
 * @param gracefulExitCodes each replica's exit code after SIGTERM at the end (null: had to be killed)
 * @param autovacuum whether the server's autovacuum was on
 * @param soakVacuums VACUUMs the soak ran itself ({@code --vacuum-every})
 * @param hostReport the simulated host's own report
 */
public record SoakReport(
        int replicas,
        double durationSeconds,
        String replicasRunFrom,
        String hostUrl,
        long kills,
        long pauses,
        long terminationRounds,
        long pgRestarts,
        double pinnedXminSeconds,
        boolean autovacuum,
        long soakVacuums,
        long syncs,
        double syncsPerSecond,
        long overlaps,
        List<JsonNode> overlapExamples,
        long lost,
        List<String> lostExamples,
        double lostAfterSeconds,
        double longestWaitSeconds,
        long requests,
        long requestsNotInserted,
        long unservedRequests,
        List<String> unservedExamples,
        double[] requestLatencyMillis,
        long fenced,
        long cancelled,
        List<FaultOutcome> faults,
        List<Timeline.TableSample> tableSamples,
        List<Timeline.Sample> samples,
        LogFindings logs,
        Map<String, Integer> gracefulExitCodes,
        List<String> diedOnTheirOwn,
        double drainSeconds,
        List<String> samplingGaps,
        JsonNode hostReport) {

    /** What deserves a look without failing the run: unclean exits, stack traces, faults not recovered from... */
    public List<String> findings() {
        return Findings.of(this);
    }

    public boolean passed() {
        return overlaps == 0 && lost == 0 && unservedRequests == 0;
    }

    /** Which invariants failed, in words; empty when the run passed. */
    public List<String> failures() {
        List<String> failures = new ArrayList<>();
        if (overlaps > 0) {
            failures.add(overlaps + " overlap(s): a changeset was fetched by two syncs at once");
        }
        if (lost > 0) {
            failures.add(lost + " changeset(s) lost: owed a sync for longer than " + Math.round(lostAfterSeconds) + " s");
        }
        if (unservedRequests > 0) {
            failures.add(unservedRequests + " sync request(s) never served");
        }
        return failures;
    }
}
