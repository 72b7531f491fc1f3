package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.schedule.HostSummary;
import dev.changesetsyncer.schedule.ScheduleRow;
import dev.changesetsyncer.schedule.ScheduleView;
import java.util.List;
import java.util.concurrent.Callable;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code schedule}: the next rows of the schedule view, and the per-host summary. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "Print what syncs next and why (the changeset_schedule view), then the per-host summary.")
final class ScheduleCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "20",
            description = "How many changesets (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--due", description = "Only changesets that are due now.")
    boolean dueOnly;

    @Option(names = "--changeset", paramLabel = "ID", split = ",", description = "These changesets instead.")
    List<Long> changesets;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
        }
        try (HikariDataSource pool = DataSources.open(database.config("changeset-syncer-schedule", 1))) {
            ScheduleView view = new ScheduleView(DSL.using(pool, SQLDialect.POSTGRES));
            List<ScheduleRow> rows = changesets == null ? view.next(limit, dueOnly) : view.changesets(changesets);
            TextTable table = new TextTable("changeset", "repo", "#", "state", "last sync", "last change", "wait",
                    "next sync", "due", "overdue", "prio", "rule", "request", "lease", "fails", "last error");
            for (ScheduleRow r : rows) {
                table.add(r.changesetId(), r.repoName(), r.externalId(), r.state(), Formats.time(r.lastSyncedAt()),
                        Formats.time(r.lastChangeAt()), Formats.duration(r.waitFor()), Formats.time(r.nextSyncAt()),
                        Boolean.TRUE.equals(r.due()) ? "yes" : "", Boolean.TRUE.equals(r.due()) ? Formats.duration(r.overdueBy()) : "",
                        r.priority() == 0 ? "" : r.priority(), r.rule(), r.requestReason(), r.leaseHolder(),
                        r.failures() == 0 ? "" : r.failures(), abbreviate(r.lastError()));
            }
            table.print(System.out);
            System.out.println();
            TextTable hosts = new TextTable("code host", "kind", "due now", "requested", "oldest overdue", "in flight",
                    "expired leases", "failing", "gone", "budget left", "paused until", "why");
            for (HostSummary h : view.hosts()) {
                hosts.add(h.name(), h.kind(), h.dueNow(), h.requestedDue(), Formats.duration(h.oldestOverdue()),
                        h.inFlight(), h.expiredLeases(), h.failing(), h.gone(),
                        h.requestsPerHour() == null ? "unlimited"
                                : String.format("%.0f of %d/h", h.budgetLeft(), h.requestsPerHour()),
                        Formats.time(h.pausedUntil()), abbreviate(h.pauseReason()));
            }
            hosts.print(System.out);
        }
        return 0;
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
