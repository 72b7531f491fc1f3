package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.HostPauses;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.schedule.HostSummary;
import dev.changesetsyncer.schedule.ScheduleView;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code limits}: show or change a code host's request budget and concurrency cap; pause or resume it. */
@Command(name = "limits", mixinStandardHelpOptions = true,
        description = {"Show every code host's rate limits and budget, or change one host's with --code-host.",
            "Changes apply at the next claim of every replica. The same in SQL: "
                    + "UPDATE code_hosts SET requests_per_hour = 600 WHERE name = '...';",
            "--pause stops every replica's claims of the host for a while (syncs in flight finish); --resume ends any "
                    + "pause, the host's own included. The same in SQL: "
                    + "SELECT pause_code_host('...', now() + interval '30 minutes', 'why'); SELECT resume_code_host('...');"})
final class LimitsCommand implements Callable<Integer> {
    /** Bounds the schema's constraints also enforce (table 007): they keep the claim's arithmetic in range. */
    static final int MAX_REQUESTS_PER_HOUR = RateLimitSettings.MAX_REQUESTS_PER_HOUR;
    static final int MAX_BURST = 10_000_000;
    static final double MIN_REQUESTS_PER_SYNC = 0.01;
    static final double MAX_REQUESTS_PER_SYNC = 10_000;
    static final int MAX_IN_FLIGHT = 100_000;

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

    @Option(names = "--pause", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Pause the host for every replica, from now (e.g. 30m, 2h; at most 30 days).")
    Duration pause;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why the host is paused (with --pause).")
    String reason;

    @Option(names = "--resume", description = "End the host's pause, whoever set it.")
    boolean resume;

    @Override
    public Integer call() {
        boolean changesLimits = requestsPerHour != null || burst != null || requestsPerSync != null || maxInFlight != null;
        if (codeHost == null && (changesLimits || pause != null || resume)) {
            throw new IllegalArgumentException("say which host to change with --code-host");
        }
        if (pause != null && resume) {
            throw new IllegalArgumentException("--pause and --resume exclude each other");
        }
        if (reason != null && pause == null) {
            throw new IllegalArgumentException("--reason goes with --pause");
        }
        if (pause != null && (pause.isNegative() || pause.isZero())) {
            throw new IllegalArgumentException("--pause must be positive, got " + Formats.duration(pause));
        }
        try (HikariDataSource pool = DataSources.open(database.config("changeset-syncer-limits", 1))) {
            DSLContext dsl = DSL.using(pool, SQLDialect.POSTGRES);
            if (changesLimits) {
                change(new CatalogStore(dsl));
            }
            if (pause != null) {
                Instant until = new HostPauses(dsl).pause(codeHost, pause, reason);
                System.out.printf("paused %s until %s for every replica%n", codeHost, Formats.time(until));
            }
            if (resume) {
                Optional<Instant> ended = new HostPauses(dsl).resume(codeHost);
                System.out.println(ended.isPresent()
                        ? "resumed " + codeHost + " (its pause would have lasted until " + Formats.time(ended.get()) + ")"
                        : codeHost + " was not paused");
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
                requestsPerHour == null ? now.requestsPerHour()
                        : number("--requests-per-hour", requestsPerHour, "none", MAX_REQUESTS_PER_HOUR),
                burst == null ? now.requestBurst() : number("--burst", burst, "default", MAX_BURST),
                requestsPerSync == null ? now.requestsPerSync() : requestsPerSync(requestsPerSync),
                maxInFlight == null ? now.maxInFlight() : number("--max-in-flight", maxInFlight, "none", MAX_IN_FLIGHT));
        store.updateRateLimits(host.id(), wanted);
        System.out.printf("updated %s; replicas apply it at their next claim%n", host.name());
    }

    private static Integer number(String option, String value, String nullWord, int max) {
        if (value.equalsIgnoreCase(nullWord)) {
            return null;
        }
        int number;
        try {
            number = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number or '" + nullWord + "', not " + value);
        }
        if (number < 1 || number > max) {
            throw new IllegalArgumentException(option + " must be within [1, " + max + "] (or '" + nullWord + "'), got "
                    + value);
        }
        return number;
    }

    /** Finite and within bounds: NaN or Infinity would stop every host's claims (the constraint refuses them too). */
    private static double requestsPerSync(double value) {
        if (!(value >= MIN_REQUESTS_PER_SYNC && value <= MAX_REQUESTS_PER_SYNC)) {
            throw new IllegalArgumentException("--requests-per-sync must be within [" + MIN_REQUESTS_PER_SYNC + ", "
                    + (int) MAX_REQUESTS_PER_SYNC + "], got " + value);
        }
        return value;
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
