package dev.changesetsyncer.admin;

import dev.changesetsyncer.admin.AdminViews.AuditRow;
import dev.changesetsyncer.admin.AdminViews.ChangesetDetail;
import dev.changesetsyncer.admin.AdminViews.EventRow;
import dev.changesetsyncer.admin.AdminViews.HostRow;
import dev.changesetsyncer.admin.AdminViews.RequestRow;
import dev.changesetsyncer.admin.AdminViews.ScheduleEntry;
import dev.changesetsyncer.admin.AdminViews.SchedulePage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * The admin page's reads, each the SQL a DBA would write against the views and tables. The list
 * queries read index ranges only (pinned at a million changesets by AdminQueryPlansTest): the
 * summary view per host, the last minute of sync_attempt_tallies for syncs per minute, and the
 * schedule by next_sync_at with a keyset cursor.
 */
public final class AdminQueries {
    /** The overview: every host's summary row, and the sync attempts written back in the last minute. */
    static final String HOSTS_SQL = """
            SELECT s.code_host_id, s.name, s.kind::text AS kind, s.due_now, s.requested_due,
                   extract(epoch FROM s.oldest_overdue)::float8 AS oldest_overdue_seconds, s.in_flight, s.failing, s.gone,
                   (SELECT coalesce(sum(t.attempts), 0) FROM sync_attempt_tallies t
                     WHERE t.code_host_id = s.code_host_id AND t.at > now() - interval '1 minute') AS syncs_last_minute,
                   s.requests_per_hour, s.budget_left, s.paused_until, s.pause_reason
              FROM code_host_sync_summary s
             ORDER BY s.name""";

    /** The schedule's columns; {@code %s}: the filters, then the order (keyset pagination). */
    static final String SCHEDULE_SQL = """
            SELECT v.changeset_id, v.changeset_external_id, c.title, v.repo_name, v.code_host_name, v.state::text AS state,
                   v.rule, v.next_sync_at, v.due, extract(epoch FROM v.overdue_by)::float8 AS overdue_seconds, v.failures,
                   v.requested_at, v.requested_by, v.lease_holder, v.last_synced_at, v.gone_at
              FROM changeset_schedule v
              JOIN changesets c ON c.id = v.changeset_id
             WHERE %s
             ORDER BY %s
             LIMIT ?""";

    static final String AUDIT_SQL = "SELECT id, who, action, target, details, at FROM admin_audit ORDER BY at DESC, id DESC LIMIT ?";

    private final DSLContext dsl;

    public AdminQueries(DSLContext dsl) {
        this.dsl = dsl;
    }

    public List<HostRow> hosts() {
        return dsl.fetch(HOSTS_SQL).map(r -> new HostRow(r.get("code_host_id", Long.class), r.get("name", String.class),
                r.get("kind", String.class), r.get("due_now", Long.class), r.get("requested_due", Long.class),
                seconds(r, "oldest_overdue_seconds"), r.get("in_flight", Long.class), r.get("failing", Long.class),
                r.get("gone", Long.class), r.get("syncs_last_minute", Long.class), r.get("requests_per_hour", Integer.class),
                r.get("budget_left", Double.class), r.get("paused_until", Instant.class), r.get("pause_reason", String.class)));
    }

    /**
     * A page of the schedule: rows due soonest first (then by id), changesets never due (gone) last.
     * Two index ranges at most: rows with a next_sync_at after the cursor, then (once those run out)
     * rows without one.
     */
    public SchedulePage schedule(ScheduleFilter filter) {
        List<ScheduleEntry> rows = new ArrayList<>();
        ScheduleFilter.Cursor after = filter.after();
        if (after == null || after.nextSyncAt() != null) {
            rows.addAll(scheduleRows(filter, true, ScheduleFilter.PAGE_SIZE + 1));
        }
        if (rows.size() <= ScheduleFilter.PAGE_SIZE) {
            rows.addAll(scheduleRows(filter, false, ScheduleFilter.PAGE_SIZE + 1 - rows.size()));
        }
        if (rows.size() <= ScheduleFilter.PAGE_SIZE) {
            return new SchedulePage(rows, Optional.empty());
        }
        List<ScheduleEntry> page = List.copyOf(rows.subList(0, ScheduleFilter.PAGE_SIZE));
        ScheduleEntry last = page.getLast();
        return new SchedulePage(page, Optional.of(new ScheduleFilter.Cursor(last.nextSyncAt(), last.changesetId()).encode()));
    }

    /** The SQL of one part of a schedule page and its bind values (for the plan test, too). */
    static Query scheduleQuery(ScheduleFilter filter, boolean scheduled, int limit) {
        List<String> where = new ArrayList<>();
        List<Object> binds = new ArrayList<>();
        if (filter.host() != null) {
            where.add("v.code_host_name = ?");
            binds.add(filter.host());
        }
        if (filter.repo() != null) {
            where.add("v.repo_id IN (SELECT r.id FROM repos r WHERE lower(r.name) = lower(?))");
            binds.add(filter.repo());
        }
        if (filter.state() != null) {
            where.add("v.state = ?::changeset_state");
            binds.add(filter.state());
        }
        if (filter.due()) {
            where.add("v.due");
        }
        if (filter.failing()) {
            where.add("v.failures > 0");
        }
        if (filter.gone()) {
            where.add("v.gone_at IS NOT NULL");
        }
        if (filter.requested()) {
            // the same rows as "requested_at IS NOT NULL" (the request trigger keeps them so), read from the
            // pending requests' small index instead of the whole queue
            where.add("v.changeset_id IN (SELECT q.changeset_id FROM sync_requests q WHERE q.served_at IS NULL)");
        }
        ScheduleFilter.Cursor after = filter.after();
        String order;
        if (scheduled) {
            where.add("v.next_sync_at IS NOT NULL");
            if (after != null) {
                where.add("(v.next_sync_at, v.changeset_id) > (?::timestamptz, ?)");
                binds.add(after.nextSyncAt().toString());
                binds.add(after.changesetId());
            }
            order = "v.next_sync_at, v.changeset_id";
        } else {
            where.add("v.next_sync_at IS NULL");
            if (after != null && after.nextSyncAt() == null) {
                where.add("v.changeset_id > ?");
                binds.add(after.changesetId());
            }
            order = "v.changeset_id";
        }
        binds.add(limit);
        return new Query(SCHEDULE_SQL.formatted(String.join(" AND ", where), order), binds);
    }

    /** A statement and its bind values. */
    record Query(String sql, List<Object> binds) {
        /** With the values written in (for EXPLAIN in tests; never for execution). */
        String inlined(DSLContext dsl) {
            return dsl.renderInlined(dsl.resultQuery(sql, binds.toArray()));
        }
    }

    private List<ScheduleEntry> scheduleRows(ScheduleFilter filter, boolean scheduled, int limit) {
        Query query = scheduleQuery(filter, scheduled, limit);
        return dsl.fetch(query.sql(), query.binds().toArray()).map(r -> new ScheduleEntry(
                r.get("changeset_id", Long.class), r.get("changeset_external_id", String.class), r.get("title", String.class),
                r.get("repo_name", String.class), r.get("code_host_name", String.class), r.get("state", String.class),
                r.get("rule", String.class), r.get("next_sync_at", Instant.class), r.get("due", Boolean.class),
                seconds(r, "overdue_seconds"), r.get("failures", Integer.class), r.get("requested_at", Instant.class),
                r.get("requested_by", String.class), r.get("lease_holder", String.class),
                r.get("last_synced_at", Instant.class), r.get("gone_at", Instant.class)));
    }

    public Optional<ChangesetDetail> changeset(long id) {
        return dsl.fetchOptional("""
                SELECT c.id, c.external_id, c.repo_id, r.name AS repo, h.name AS host, c.state::text AS state, c.title, c.author,
                       c.url, c.head_ref, c.base_ref, c.head_sha, c.review_state::text AS review_state,
                       c.check_state::text AS check_state, c.external_updated_at, s.cadence::text AS cadence, s.enqueued_at,
                       s.last_synced_at, s.last_attempt_at, s.synced_updated_at, s.latest_event_at, s.failures, s.last_error,
                       s.gone_at, s.priority, s.requested_at, s.lease_holder, s.lease_until, s.next_sync_at, v.due, v.rule,
                       extract(epoch FROM v.wait)::float8 AS wait_seconds
                  FROM changesets c
                  JOIN repos r ON r.id = c.repo_id
                  JOIN changeset_sync_state s ON s.changeset_id = c.id
                  JOIN code_hosts h ON h.id = s.code_host_id
                  JOIN changeset_schedule v ON v.changeset_id = c.id
                 WHERE c.id = ?""", id).map(r -> new ChangesetDetail(r.get("id", Long.class), r.get("external_id", String.class),
                r.get("repo_id", Long.class), r.get("repo", String.class), r.get("host", String.class), r.get("state", String.class),
                r.get("title", String.class), r.get("author", String.class), r.get("url", String.class),
                r.get("head_ref", String.class), r.get("base_ref", String.class), r.get("head_sha", String.class),
                r.get("review_state", String.class), r.get("check_state", String.class),
                r.get("external_updated_at", Instant.class), r.get("cadence", String.class), r.get("enqueued_at", Instant.class),
                r.get("last_synced_at", Instant.class), r.get("last_attempt_at", Instant.class),
                r.get("synced_updated_at", Instant.class), r.get("latest_event_at", Instant.class),
                r.get("failures", Integer.class), r.get("last_error", String.class), r.get("gone_at", Instant.class),
                r.get("priority", Integer.class), r.get("requested_at", Instant.class), r.get("lease_holder", String.class),
                r.get("lease_until", Instant.class), r.get("next_sync_at", Instant.class), r.get("due", Boolean.class),
                r.get("rule", String.class), seconds(r, "wait_seconds")));
    }

    /** The latest events of a changeset (the timeline index, newest first). */
    public List<EventRow> events(long changesetId, int limit) {
        return dsl.fetch("""
                SELECT kind, source::text AS source, occurred_at, received_at FROM changeset_events
                 WHERE changeset_id = ? ORDER BY occurred_at DESC LIMIT ?""", changesetId, limit)
                .map(r -> new EventRow(r.get("kind", String.class), r.get("source", String.class),
                        r.get("occurred_at", Instant.class), r.get("received_at", Instant.class)));
    }

    /** The latest sync requests of a changeset, with the time from each to the start of the sync that served it. */
    public List<RequestRow> requests(long changesetId, int limit) {
        return dsl.fetch("""
                SELECT q.id, q.reason, q.requested_by, q.priority, q.requested_at, q.served_at, q.served_by,
                       extract(epoch FROM coalesce(q.sync_started_at, q.served_at) - q.requested_at)::float8 AS latency_seconds
                  FROM sync_requests q
                 WHERE q.changeset_id = ? ORDER BY q.requested_at DESC, q.id DESC LIMIT ?""", changesetId, limit)
                .map(r -> new RequestRow(r.get("id", Long.class), r.get("reason", String.class),
                        r.get("requested_by", String.class), r.get("priority", Integer.class),
                        r.get("requested_at", Instant.class), r.get("served_at", Instant.class),
                        r.get("served_by", String.class), seconds(r, "latency_seconds")));
    }

    /** The latest entries of the audit table. */
    public List<AuditRow> audit(int limit) {
        return dsl.fetch(AUDIT_SQL, limit).map(AdminQueries::auditRow);
    }

    public Optional<AuditRow> auditEntry(long id) {
        return dsl.fetchOptional("SELECT id, who, action, target, details, at FROM admin_audit WHERE id = ?", id)
                .map(AdminQueries::auditRow);
    }

    private static AuditRow auditRow(Record r) {
        return new AuditRow(r.get("id", Long.class), r.get("who", String.class), r.get("action", String.class),
                r.get("target", String.class), r.get("details", String.class), r.get("at", Instant.class));
    }

    private static Duration seconds(Record r, String field) {
        Double seconds = r.get(field, Double.class);
        return seconds == null ? null : Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
