package dev.changesetsyncer.soak;

import java.util.ArrayList;
import java.util.List;

/** What in a soak report deserves a look without failing the run. */
final class Findings {
    private Findings() {}

    static List<String> of(SoakReport r) {
        List<String> findings = new ArrayList<>();
        long unclean = r.gracefulExitCodes().values().stream().filter(code -> code == null || code != 0).count();
        if (unclean > 0) {
            findings.add(unclean + " of " + r.gracefulExitCodes().size() + " replicas did not exit 0 on SIGTERM: "
                    + r.gracefulExitCodes() + " (a service manager counts 143 as a failure)");
        }
        if (!r.diedOnTheirOwn().isEmpty()) {
            findings.add("replicas died without being killed: " + r.diedOnTheirOwn() + " (see their logs)");
        }
        if (r.logs().hikariWarnings() > 0 || r.logs().stackTraces() > 0) {
            findings.add("the replicas' logs hold " + r.logs().stackTraces() + " stack traces and "
                    + r.logs().hikariWarnings() + " HikariCP WARN/ERROR lines (expected: one line per event)");
        }
        if (r.overlaps() > 0 && r.pauses() > 0) {
            findings.add("overlaps with pauses: a replica paused longer than its lease called the host again for "
                    + "changesets another replica had re-claimed (the write-backs were fenced)");
        }
        for (FaultOutcome f : r.faults()) {
            if (f.recoverySeconds() == null && !Double.isNaN(f.before())) {
                findings.add("throughput did not recover to 90 % within 2 minutes after the " + f.fault().kind() + " at "
                        + Math.round(f.fault().at()) + " s");
            }
        }
        if (!r.autovacuum() && r.soakVacuums() == 0) {
            findings.add("autovacuum is off on this server: dead tuples of changeset_sync_state are never removed "
                    + "(pass --vacuum-every to vacuum from the soak)");
        }
        if (r.requestsNotInserted() > 0) {
            findings.add(r.requestsNotInserted() + " sync requests could not be inserted (the database was down)");
        }
        if (!r.samplingGaps().isEmpty()) {
            findings.add(r.samplingGaps().size() + " samples skipped (database or host unreachable), the first: "
                    + r.samplingGaps().getFirst());
        }
        return List.copyOf(findings);
    }
}
