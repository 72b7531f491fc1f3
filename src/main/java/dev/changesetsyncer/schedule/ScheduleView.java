package dev.changesetsyncer.schedule;

import static dev.changesetsyncer.jooq.Tables.CHANGESET_SCHEDULE;
import static dev.changesetsyncer.jooq.Tables.CODE_HOST_SYNC_SUMMARY;

import dev.changesetsyncer.jooq.tables.records.ChangesetScheduleRecord;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;

/** Reads the schedule views: what syncs next and why, and the per-host summary. */
public final class ScheduleView {
    private final DSLContext dsl;

    public ScheduleView(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** The next {@code limit} changesets by next_sync_at (an index range scan). */
    public List<ScheduleRow> next(int limit, boolean dueOnly) {
        var query = dsl.selectFrom(CHANGESET_SCHEDULE);
        var filtered = dueOnly ? query.where(CHANGESET_SCHEDULE.DUE) : query.where(CHANGESET_SCHEDULE.NEXT_SYNC_AT.isNotNull());
        return filtered.orderBy(CHANGESET_SCHEDULE.NEXT_SYNC_AT).limit(limit).fetch(ScheduleView::toRow);
    }

    public List<ScheduleRow> changesets(List<Long> ids) {
        return dsl.selectFrom(CHANGESET_SCHEDULE).where(CHANGESET_SCHEDULE.CHANGESET_ID.in(ids))
                .orderBy(CHANGESET_SCHEDULE.CHANGESET_ID).fetch(ScheduleView::toRow);
    }

    public List<HostSummary> hosts() {
        return dsl.selectFrom(CODE_HOST_SYNC_SUMMARY).orderBy(CODE_HOST_SYNC_SUMMARY.NAME).fetch(ScheduleView::toSummary);
    }

    private static ScheduleRow toRow(ChangesetScheduleRecord r) {
        return new ScheduleRow(r.getChangesetId(), r.getChangesetExternalId(), r.getRepoName(), r.getCodeHostName(),
                r.getState() == null ? null : r.getState().getLiteral(), r.getLastSyncedAt(), r.getLastChangeAt(),
                r.getQuietFor(), r.getWait(), r.getRule(), r.getNextSyncAt(), r.getDue(), r.getOverdueBy(),
                r.getPriority(), r.getRequestReason(), r.getLeaseHolder(), r.getFailures(), r.getLastError());
    }

    private static HostSummary toSummary(Record r) {
        return new HostSummary(r.get(CODE_HOST_SYNC_SUMMARY.CODE_HOST_ID), r.get(CODE_HOST_SYNC_SUMMARY.NAME),
                r.get(CODE_HOST_SYNC_SUMMARY.KIND).getLiteral(), r.get(CODE_HOST_SYNC_SUMMARY.DUE_NOW),
                r.get(CODE_HOST_SYNC_SUMMARY.REQUESTED_DUE), r.get(CODE_HOST_SYNC_SUMMARY.OLDEST_OVERDUE),
                r.get(CODE_HOST_SYNC_SUMMARY.IN_FLIGHT), r.get(CODE_HOST_SYNC_SUMMARY.EXPIRED_LEASES),
                r.get(CODE_HOST_SYNC_SUMMARY.FAILING), r.get(CODE_HOST_SYNC_SUMMARY.GONE),
                r.get(CODE_HOST_SYNC_SUMMARY.REQUESTS_PER_HOUR), r.get(CODE_HOST_SYNC_SUMMARY.BUDGET_LEFT),
                r.get(CODE_HOST_SYNC_SUMMARY.MAX_IN_FLIGHT), r.get(CODE_HOST_SYNC_SUMMARY.PAUSED_UNTIL),
                r.get(CODE_HOST_SYNC_SUMMARY.PAUSE_REASON), r.get(CODE_HOST_SYNC_SUMMARY.HOST_REPORTED_REMAINING));
    }
}
