package dev.changesetsyncer.demo;

import java.time.Duration;
import org.jooq.DSLContext;
import org.jooq.Record;

/** The queue's state as the demo prints it, read from the per-host summary view and the request log. */
public record QueueReport(long dueNow, Duration oldestOverdue, long inFlight, long failing, long gone,
        long pausedHosts, long requestsServed, Duration requestP50, Duration requestP99, long requestsPending) {

    public static QueueReport read(DSLContext dsl) {
        Record hosts = dsl.fetchSingle("""
                SELECT coalesce(sum(due_now), 0) AS due_now,
                       coalesce(extract(epoch FROM max(oldest_overdue)), 0) AS oldest_overdue,
                       coalesce(sum(in_flight), 0) AS in_flight,
                       coalesce(sum(failing), 0) AS failing,
                       coalesce(sum(gone), 0) AS gone,
                       count(paused_until) AS paused
                  FROM code_host_sync_summary""");
        Record requests = dsl.fetchSingle("""
                SELECT count(served_at) AS served,
                       count(*) FILTER (WHERE served_at IS NULL) AS pending,
                       coalesce(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY served_at - requested_at)), 0) AS p50,
                       coalesce(extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY served_at - requested_at)), 0) AS p99
                  FROM sync_requests""");
        return new QueueReport(
                hosts.get("due_now", Long.class),
                seconds(hosts.get("oldest_overdue", Double.class)),
                hosts.get("in_flight", Long.class),
                hosts.get("failing", Long.class),
                hosts.get("gone", Long.class),
                hosts.get("paused", Long.class),
                requests.get("served", Long.class),
                seconds(requests.get("p50", Double.class)),
                seconds(requests.get("p99", Double.class)),
                requests.get("pending", Long.class));
    }

    private static Duration seconds(Double value) {
        return value == null ? Duration.ZERO : Duration.ofNanos((long) (value * 1e9));
    }
}
