package dev.changesetsyncer.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Locale;

/** A soak report as text for people, or as one JSON object for scripts. */
public final class SoakReportWriter {
    private static final ObjectMapper json = new ObjectMapper();

    private SoakReportWriter() {}

    public static void text(SoakReport r, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "soak: %d replicas for %.0f s (replicas from %s; host %s)%n", r.replicas(),
                r.durationSeconds(), r.replicasRunFrom(), r.hostUrl());
        out.printf(Locale.ROOT, "faults: %d kills, %d pauses, %d backend-termination rounds, %d Postgres restarts, xmin pinned %.0f s%n",
                r.kills(), r.pauses(), r.terminationRounds(), r.pgRestarts(), r.pinnedXminSeconds());
        out.printf(Locale.ROOT, "syncs: %d (%.1f/s while faults ran); ETag hits %d; requests %d, served p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                r.syncs(), r.syncsPerSecond(), r.hostReport().path("etag_hits").asLong(), r.requests(),
                r.requestLatencyMillis()[0], r.requestLatencyMillis()[1], r.requestLatencyMillis()[2]);
        out.printf(Locale.ROOT, "invariants: overlaps %d, lost %d (owed > %.0f s; longest wait %.1f s), unserved requests %d%n",
                r.overlaps(), r.lost(), r.lostAfterSeconds(), r.longestWaitSeconds(), r.unservedRequests());
        out.printf(Locale.ROOT, "fenced write-backs %d, syncs cancelled for their lease %d, drain %.0f s%n", r.fenced(),
                r.cancelled(), r.drainSeconds());
        out.println();
        out.println("    at  fault               before/s  during/s  after/s  recovered  longest wait  detail");
        for (FaultOutcome f : r.faults()) {
            out.printf(Locale.ROOT, "%+5.0fs  %-18s %9s %9s %8s %10s %12.1fs  %s%n", f.fault().at(), f.fault().kind(),
                    rate(f.before()), rate(f.during()), rate(f.after()),
                    f.recoverySeconds() == null ? "no" : "%.0f s".formatted(f.recoverySeconds()), f.longestWaitSeconds(),
                    f.fault().detail());
        }
        out.println();
        out.printf(Locale.ROOT, "changeset_sync_state over time (autovacuum %s; the soak ran %d VACUUMs):%n",
                r.autovacuum() ? "on" : "off", r.soakVacuums());
        out.println("    at  live tuples  dead tuples  table    with indexes  autovacuums");
        double lastPrinted = Double.NEGATIVE_INFINITY;
        for (Timeline.TableSample t : r.tableSamples()) {
            if (t.at() - lastPrinted >= 30) {
                lastPrinted = t.at();
                out.printf(Locale.ROOT, "%+5.0fs  %11d  %11d  %-7s  %-12s  %d%n", t.at(), t.stats().liveTuples(),
                        t.stats().deadTuples(), size(t.stats().tableBytes()), size(t.stats().totalBytes()),
                        t.stats().autovacuums());
            }
        }
        out.println();
        out.printf(Locale.ROOT, "replica logs: %d stack traces, %d HikariCP warnings; WARN/ERROR by logger: %s%n",
                r.logs().stackTraces(), r.logs().hikariWarnings(), r.logs().byLevelAndLogger());
        out.println("exit codes after SIGTERM: " + r.gracefulExitCodes());
        r.overlapExamples().forEach(example -> out.println("overlap: " + example));
        r.lostExamples().forEach(example -> out.println("lost: " + example));
        r.unservedExamples().forEach(example -> out.println("unserved: " + example));
        r.findings().forEach(finding -> out.println("finding: " + finding));
        out.println(r.passed() ? "PASSED: no overlap, nothing lost, every request served"
                : "FAILED: " + String.join("; ", r.failures()));
    }

    public static ObjectNode json(SoakReport r) {
        ObjectNode root = json.createObjectNode();
        root.put("passed", r.passed());
        root.put("replicas", r.replicas());
        root.put("duration_seconds", r.durationSeconds());
        root.put("kills", r.kills());
        root.put("pauses", r.pauses());
        root.put("backend_termination_rounds", r.terminationRounds());
        root.put("pg_restarts", r.pgRestarts());
        root.put("pinned_xmin_seconds", r.pinnedXminSeconds());
        root.put("autovacuum", r.autovacuum());
        root.put("soak_vacuums", r.soakVacuums());
        root.put("syncs", r.syncs());
        root.put("syncs_per_second", round(r.syncsPerSecond()));
        root.put("overlaps", r.overlaps());
        root.put("lost", r.lost());
        root.put("lost_after_seconds", r.lostAfterSeconds());
        root.put("longest_wait_seconds", round(r.longestWaitSeconds()));
        root.put("requests", r.requests());
        root.put("requests_not_inserted", r.requestsNotInserted());
        root.put("unserved_requests", r.unservedRequests());
        ObjectNode latency = root.putObject("request_latency_ms");
        latency.put("p50", round(r.requestLatencyMillis()[0]));
        latency.put("p99", round(r.requestLatencyMillis()[1]));
        latency.put("max", round(r.requestLatencyMillis()[2]));
        root.put("fenced", r.fenced());
        root.put("cancelled_for_lease", r.cancelled());
        root.put("etag_hits", r.hostReport().path("etag_hits").asLong());
        ArrayNode recovery = root.putArray("recovery_seconds");
        ArrayNode faults = root.putArray("faults");
        for (FaultOutcome f : r.faults()) {
            if (f.recoverySeconds() == null) {
                recovery.addNull();
            } else {
                recovery.add(f.recoverySeconds());
            }
            ObjectNode fault = faults.addObject();
            fault.put("at_seconds", round(f.fault().at()));
            fault.put("kind", f.fault().kind());
            fault.put("detail", f.fault().detail());
            fault.put("lasted_seconds", round(f.fault().seconds()));
            putRate(fault, "syncs_per_second_before", f.before());
            putRate(fault, "syncs_per_second_during", f.during());
            putRate(fault, "syncs_per_second_after", f.after());
            if (f.recoverySeconds() == null) {
                fault.putNull("recovery_seconds");
            } else {
                fault.put("recovery_seconds", f.recoverySeconds());
            }
            fault.put("longest_wait_seconds", round(f.longestWaitSeconds()));
        }
        ArrayNode table = root.putArray("sync_state_table");
        for (Timeline.TableSample t : r.tableSamples()) {
            ObjectNode sample = table.addObject();
            sample.put("at_seconds", round(t.at()));
            sample.put("live_tuples", t.stats().liveTuples());
            sample.put("dead_tuples", t.stats().deadTuples());
            sample.put("table_bytes", t.stats().tableBytes());
            sample.put("total_bytes", t.stats().totalBytes());
            sample.put("autovacuums", t.stats().autovacuums());
        }
        ArrayNode throughput = root.putArray("throughput");
        Timeline.Sample previous = null;
        for (Timeline.Sample s : r.samples()) {
            if (previous != null && s.at() > previous.at()) {
                ObjectNode point = throughput.addObject();
                point.put("at_seconds", round(s.at()));
                point.put("syncs_per_second", round((s.hostSyncs() - previous.hostSyncs()) / (s.at() - previous.at())));
                point.put("longest_wait_seconds", s.longestWaitSeconds());
                point.put("replicas_alive", s.alive());
            }
            previous = s;
        }
        root.set("overlap_examples", json.valueToTree(r.overlapExamples()));
        root.set("lost_examples", json.valueToTree(r.lostExamples()));
        root.set("unserved_examples", json.valueToTree(r.unservedExamples()));
        ObjectNode logs = root.putObject("replica_logs");
        logs.put("stack_traces", r.logs().stackTraces());
        logs.put("hikari_warnings", r.logs().hikariWarnings());
        logs.set("warn_error_by_logger", json.valueToTree(r.logs().byLevelAndLogger()));
        root.set("exit_codes_after_sigterm", json.valueToTree(r.gracefulExitCodes()));
        root.set("died_on_their_own", json.valueToTree(r.diedOnTheirOwn()));
        root.put("drain_seconds", round(r.drainSeconds()));
        root.set("sampling_gaps", json.valueToTree(r.samplingGaps()));
        root.set("findings", json.valueToTree(r.findings()));
        root.set("host", r.hostReport());
        return root;
    }

    /** A rate, or null where there were too few samples to tell. */
    private static void putRate(ObjectNode node, String name, double value) {
        if (Double.isNaN(value)) {
            node.putNull(name);
        } else {
            node.put(name, round(value));
        }
    }

    private static String rate(double value) {
        return Double.isNaN(value) ? "-" : "%.1f".formatted(value);
    }

    private static double round(double value) {
        return Double.isNaN(value) ? 0 : Math.round(value * 10) / 10.0;
    }

    private static String size(long bytes) {
        return bytes < 10 * 1024 * 1024 ? (bytes / 1024) + " kB" : (bytes / (1024 * 1024)) + " MB";
    }
}
