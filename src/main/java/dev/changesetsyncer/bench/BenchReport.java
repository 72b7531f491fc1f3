package dev.changesetsyncer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/** Prints results as they come: a readable line each, or one JSON object per scenario. */
final class BenchReport {
    private static final ObjectMapper json = new ObjectMapper();
    private final PrintStream out;
    private final boolean asJson;

    BenchReport(PrintStream out, boolean asJson) {
        this.out = out;
        this.asJson = asJson;
    }

    void drain(DrainBenchmark.Result r) {
        if (asJson) {
            emit(json.valueToTree(r), "drain");
            return;
        }
        out.printf("drain      %d replica(s): %,d no-op syncs in %.2f s = %,.0f syncs/s | %.3f transactions/sync | "
                        + "%,d claim + %,d write round trips | %,d dead tuples | %d overlaps | %,.0f WAL bytes/sync | "
                        + "per million changesets: %,.0f MB tables, %,.0f MB indexes%n",
                r.replicas(), r.changesets(), r.seconds(), r.syncsPerSecond(), r.transactionsPerSync(),
                r.claimRoundTrips(), r.writeRoundTrips(), r.deadTuples(), r.overlaps(), r.walBytesPerSync(),
                r.heapMbPerMillion(), r.indexMbPerMillion());
    }

    void latency(RequestLatencyBenchmark.Result r) {
        if (asJson) {
            emit(json.valueToTree(r), "request-latency");
            return;
        }
        out.printf("request    %s, %d replicas: INSERT to sync start p50 %.2f ms, p99 %.2f ms, max %.2f ms "
                        + "(commit to start p50 %.2f ms, p99 %.2f ms; %d requests)%n",
                r.load(), r.replicas(), r.latency().p50Millis(), r.latency().p99Millis(), r.latency().maxMillis(),
                r.afterCommit().p50Millis(), r.afterCommit().p99Millis(), r.latency().samples());
    }

    void claim(ClaimCostBenchmark.Result r) {
        if (asJson) {
            emit(json.valueToTree(r), "claim-cost");
            return;
        }
        out.printf("claim      %,d changesets (1%% due), batch %d: p50 %.2f ms, p99 %.2f ms, %.0f buffers per claim%n",
                r.changesets(), r.batch(), r.latency().p50Millis(), r.latency().p99Millis(), r.buffersPerClaim());
    }

    void twoHosts(TwoHostBenchmark.Result r) {
        if (asJson) {
            emit(json.valueToTree(r), "two-hosts");
            return;
        }
        out.printf("two hosts  %d replicas, %.1f s: fast host drained at %,.0f syncs/s beside a throttled one (%,.0f/s alone, %.0f %%); "
                        + "throttled host %.2f requests/s after its burst of %d, limit %.2f/s%n",
                r.replicas(), r.seconds(), r.fastBesideThrottledPerSecond(), r.fastAlonePerSecond(),
                100 * r.fastBesideThrottledPerSecond() / r.fastAlonePerSecond(), r.throttledPerSecond(), r.throttledBurst(),
                r.throttledLimitPerSecond());
    }

    void webhookThroughput(WebhookBenchmark.ThroughputResult r) {
        if (asJson) {
            emit(json.valueToTree(r), "webhook-throughput");
            return;
        }
        out.printf("webhooks   1 replica, %d clients on loopback, %,d-byte GitHub deliveries: %,d in %.2f s = %,.0f stored/s "
                        + "(%,d answered 200, %,d otherwise; %,d events stored) | answer p50 %.2f ms, p99 %.2f ms | "
                        + "%,d claims by the woken replica%n",
                r.clients(), r.bodyBytes(), r.deliveries(), r.seconds(), r.deliveriesPerSecond(), r.answered200(),
                r.otherAnswers(), r.eventsStored(), r.answerLatency().p50Millis(), r.answerLatency().p99Millis(),
                r.replicaClaims());
    }

    void webhookLatency(WebhookBenchmark.LatencyResult r) {
        if (asJson) {
            emit(json.valueToTree(r), "webhook-latency");
            return;
        }
        out.printf("webhook    idle replica (poll 10 min), min_sync_delay %s: delivery to sync start p50 %.2f ms, p99 %.2f ms, "
                        + "max %.2f ms (answer to start p50 %.2f ms, p99 %.2f ms; %d deliveries)%n",
                r.minSyncDelay(), r.latency().p50Millis(), r.latency().p99Millis(), r.latency().maxMillis(),
                r.afterAnswer().p50Millis(), r.afterAnswer().p99Millis(), r.deliveries());
    }

    private void emit(JsonNode result, String scenario) {
        ObjectNode line = json.createObjectNode().put("scenario", scenario);
        line.setAll((ObjectNode) result);
        out.println(line);
    }
}
