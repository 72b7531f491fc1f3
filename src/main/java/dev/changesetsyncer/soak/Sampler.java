package dev.changesetsyncer.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.changesetsyncer.db.DatabaseErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the run once a second on a thread of its own: the host's sync count, the changesets owed
 * a sync (into the {@link WaitTracker}), replicas alive, and every fifth second the table's size.
 * A sample the database cannot answer (while it restarts) is skipped and said so.
 */
final class Sampler implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Sampler.class);
    private static final long PERIOD_MILLIS = 1000;

    private final SimulatedHostProcess host;
    private final SoakDatabase database;
    private final Fleet fleet;
    private final WaitTracker waits;
    private final Timeline timeline;
    private final SoakClock clock;
    private final long vacuumEverySamples;
    private volatile long vacuums;
    private final List<String> gaps = new ArrayList<>();
    private volatile boolean stopped;
    private volatile JsonNode lastHostReport;

    Sampler(SimulatedHostProcess host, SoakDatabase database, Fleet fleet, WaitTracker waits, Timeline timeline,
            SoakClock clock, Duration vacuumEvery) {
        this.host = host;
        this.database = database;
        this.fleet = fleet;
        this.waits = waits;
        this.timeline = timeline;
        this.clock = clock;
        this.vacuumEverySamples = vacuumEvery == null ? 0 : Math.max(1, vacuumEvery.toMillis() / PERIOD_MILLIS);
    }

    @Override
    public void run() {
        long next = System.currentTimeMillis();
        for (long n = 0; !stopped; n++) {
            sampleOnce(n % 5 == 0);
            if (vacuumEverySamples > 0 && n > 0 && n % vacuumEverySamples == 0) {
                vacuum();
            }
            next += PERIOD_MILLIS;
            long sleep = next - System.currentTimeMillis();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void sampleOnce(boolean withTable) {
        double at = clock.seconds();
        try {
            JsonNode report = host.report();
            lastHostReport = report;
            long syncs = report.path("syncs").asLong();
            waits.observe(database.owed(), at >= 0);
            timeline.add(new Timeline.Sample(at, syncs, waits.longestNow().toMillis() / 1000.0, fleet.alive()));
            if (withTable) {
                timeline.add(new Timeline.TableSample(at, database.tableStats()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        } catch (Exception e) {
            String gap = "%.0fs: %s".formatted(at, DatabaseErrors.brief(e));
            synchronized (gaps) {
                gaps.add(gap);
            }
            log.info("sample skipped at {}", gap);
        }
    }

    private void vacuum() {
        try {
            database.vacuum();
            vacuums++;
        } catch (RuntimeException e) {
            log.info("VACUUM changeset_sync_state failed: {}", DatabaseErrors.brief(e));
        }
    }

    /** VACUUMs the soak ran itself. */
    long vacuums() {
        return vacuums;
    }

    /** Samples that could not be taken, and why. */
    List<String> gaps() {
        synchronized (gaps) {
            return List.copyOf(gaps);
        }
    }

    JsonNode lastHostReport() {
        return lastHostReport;
    }

    void stop() {
        stopped = true;
    }
}
