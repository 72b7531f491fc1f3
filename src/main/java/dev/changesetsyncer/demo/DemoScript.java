package dev.changesetsyncer.demo;

import dev.changesetsyncer.simulation.SimulatedRepositories;
import dev.changesetsyncer.worker.Replica;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jooq.DSLContext;

/** What happens during the demo, second by second, and the live summary line. */
final class DemoScript {
    private static final Duration TICK = Duration.ofSeconds(1);
    private final DSLContext dsl;
    private final PrintStream out;
    /** Every this many seconds (from the third), a webhook. */
    private static final int WEBHOOK_EVERY_SECONDS = 5;
    private final List<Replica> replicas;
    private final Optional<DemoWebhooks> webhooks;
    private final DemoArchiving archiving;

    DemoScript(DSLContext dsl, PrintStream out, List<Replica> replicas, Optional<DemoWebhooks> webhooks,
            SimulatedRepositories repositories) {
        this.dsl = dsl;
        this.out = out;
        this.replicas = replicas;
        this.webhooks = webhooks;
        this.archiving = new DemoArchiving(dsl, out, repositories);
    }

    void play(Duration duration, BooleanSupplier stopRequested) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long archiveAt = start + duration.toNanos() / 3;
        boolean archived = false;
        long lastSynced = 0;
        long lastTick = start;
        for (int second = 1; System.nanoTime() < end && !stopRequested.getAsBoolean(); second++) {
            askForASync(second);
            if (!archived && System.nanoTime() >= archiveAt) {
                archiving.archiveOnTheHost();
                archived = true;
            }
            archiving.reportProgress();
            if (webhooks.isPresent()) {
                webhooks.get().reportSynced();
                if (second % WEBHOOK_EVERY_SECONDS == 3) {
                    webhooks.get().deliverOne();
                }
            }
            sleepUntil(Math.min(end, start + second * TICK.toNanos()), stopRequested);
            long now = System.nanoTime();
            long synced = replicas.stream().mapToLong(r -> r.metrics().snapshot().synced()).sum();
            QueueReport report = QueueReport.read(dsl);
            out.printf("[%3ds] %5.0f syncs/s | due %5d | oldest overdue %7s | in flight %3d | requests served %3d "
                            + "(p50 %4d ms) | failing %3d | gone %2d%s%n",
                    Math.round((now - start) / 1e9), (synced - lastSynced) / ((now - lastTick) / 1e9), report.dueNow(),
                    human(report.oldestOverdue()), report.inFlight(), report.requestsServed(),
                    report.requestP50().toMillis(), report.failing(), report.gone(),
                    report.pausedHosts() > 0 ? " | host paused: it answered 429" : "");
            lastSynced = synced;
            lastTick = now;
        }
    }

    /** Someone clicks "refresh" on a changeset: a plain INSERT, as any tool could. */
    private void askForASync(int second) {
        dsl.execute("""
                INSERT INTO sync_requests (changeset_id, reason, requested_by)
                SELECT id, 'demo: refresh clicked at second ' || ?, 'demo-user'
                  FROM changesets ORDER BY random() LIMIT 1""", second);
    }

    static String human(Duration d) {
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            return String.format("%.1f s", d.toMillis() / 1000.0);
        }
        if (d.compareTo(Duration.ofHours(1)) < 0) {
            return d.toMinutes() + " min";
        }
        return String.format("%.1f h", d.toMinutes() / 60.0);
    }

    private static void sleepUntil(long deadlineNanos, BooleanSupplier stopRequested) throws InterruptedException {
        while (!stopRequested.getAsBoolean()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
        }
    }
}
