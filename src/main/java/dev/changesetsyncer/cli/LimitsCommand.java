package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.schedule.HostSummary;
import dev.changesetsyncer.schedule.ScheduleView;
import java.util.concurrent.Callable;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code limits}: show or change a code host's request budget and concurrency cap. */
@Command(name = "limits", mixinStandardHelpOptions = true,
        description = {"Show every code host's rate limits and budget, or change one host's with --code-host.",
            "Changes apply at the next claim of every replica. The same in SQL: "
                    + "UPDATE code_hosts SET requests_per_hour = 600 WHERE name = '...';"})
final class LimitsCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--code-host", paramLabel = "NAME", description = "The host to change.")
    String codeHost;

    @Option(names = "--requests-per-hour", paramLabel = "N|none", description = "Request budget refill rate.")
    String requestsPerHour;

    @Option(names = "--burst", paramLabel = "N|default", description = "Bucket size (default: a minute's worth).")
    String burst;

    @Option(names = "--requests-per-sync", paramLabel = "X", description = "Tokens each sync takes (default 1).")
    Double requestsPerSync;

    @Option(names = "--max-in-flight", paramLabel = "N|none", description = "Most syncs of the host at once, across replicas.")
    String maxInFlight;

    @Override
    public Integer call() {
        try (HikariDataSource pool = DataSources.open(database.config("changeset-syncer-limits", 1))) {
            DSLContext dsl = DSL.using(pool, SQLDialect.POSTGRES);
            if (codeHost != null) {
                change(new CatalogStore(dsl));
            } else if (requestsPerHour != null || burst != null || requestsPerSync != null || maxInFlight != null) {
                throw new IllegalArgumentException("say which host to change with --code-host");
            }
            print(new ScheduleView(dsl));
        }
        return 0;
    }

    private void change(CatalogStore store) {
        CodeHost host = store.findCodeHost(codeHost)
                .orElseThrow(() -> new IllegalArgumentException("no code host named " + codeHost));
        RateLimitSettings now = store.rateLimits(host.id()).orElseThrow();
        RateLimitSettings wanted = new RateLimitSettings(
                requestsPerHour == null ? now.requestsPerHour() : number("--requests-per-hour", requestsPerHour, "none"),
                burst == null ? now.requestBurst() : number("--burst", burst, "default"),
                requestsPerSync == null ? now.requestsPerSync() : requestsPerSync,
                maxInFlight == null ? now.maxInFlight() : number("--max-in-flight", maxInFlight, "none"));
        store.updateRateLimits(host.id(), wanted);
        System.out.printf("updated %s; replicas apply it at their next claim%n", host.name());
    }

    private static Integer number(String option, String value, String nullWord) {
        if (value.equalsIgnoreCase(nullWord)) {
            return null;
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number or '" + nullWord + "', not " + value);
        }
    }

    private static void print(ScheduleView view) {
        TextTable table = new TextTable("code host", "kind", "requests/h", "budget left", "max in flight", "in flight",
                "paused until", "why", "host says remaining");
        for (HostSummary h : view.hosts()) {
            table.add(h.name(), h.kind(), h.requestsPerHour() == null ? "none" : h.requestsPerHour(),
                    h.budgetLeft() == null ? "-" : String.format("%.1f", h.budgetLeft()),
                    h.maxInFlight() == null ? "none" : h.maxInFlight(), h.inFlight(), Formats.time(h.pausedUntil()),
                    h.pauseReason(), h.hostReportedRemaining());
        }
        table.print(System.out);
    }
}
