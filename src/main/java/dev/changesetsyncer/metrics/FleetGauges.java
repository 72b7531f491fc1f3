package dev.changesetsyncer.metrics;

import dev.changesetsyncer.db.DatabaseErrors;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's gauges per code host, read from {@code code_host_sync_summary} on a cadence and exported
 * by one replica at a time, so that sums over replicas stay right: the one whose dedicated connection
 * holds a session advisory lock ({@value #LOCK_KEY}). The others try the lock at every refresh; the
 * holder that loses its connection (and with it the lock) stops exporting at once.
 */
public final class FleetGauges implements AutoCloseable {
    /** pg_try_advisory_lock's key: "syncer" in ASCII, then 1 (the fleet gauges). */
    public static final long LOCK_KEY = 0x73796e6365720001L;
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(15);
    public static final String EXPORTER = "syncer.fleet.exporter";
    private static final Logger log = LoggerFactory.getLogger(FleetGauges.class);
    private static final String SUMMARY = """
            SELECT name, due_now, extract(epoch FROM oldest_overdue), in_flight, failing, gone,
                   extract(epoch FROM paused_until), budget_left
              FROM code_host_sync_summary""";

    /** One host's figures, as of the database's now(). */
    record HostFigures(String codeHost, long due, double oldestOverdueSeconds, long inFlight, long failing, long gone,
            double pausedUntilEpochSeconds, Double budgetLeft) {}

    private final String name;
    private final String jdbcUrl;
    private final ScheduledExecutorService timer;
    private final AtomicInteger exporting = new AtomicInteger();
    private final Map<String, Gauges> gauges;
    private Connection holder; // the lock's session; refresh thread only
    private volatile Map<String, HostFigures> latest = Map.of();

    private record Gauges(MultiGauge gauge, ToDoubleFunction<HostFigures> value, boolean skipNull) {}

    private FleetGauges(String name, String jdbcUrl, MeterRegistry registry) {
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.gauges = Map.of(
                "due", gauge(registry, "syncer.due", "changesets due now, not in flight", f -> f.due(), false),
                "overdue", gauge(registry, "syncer.oldest.overdue.seconds",
                        "how far behind schedule the most overdue changeset is (0: none due)",
                        HostFigures::oldestOverdueSeconds, false),
                "inFlight", gauge(registry, "syncer.in.flight", "changesets claimed by any replica", f -> f.inFlight(),
                        false),
                "failing", gauge(registry, "syncer.failing", "changesets whose last sync failed", f -> f.failing(),
                        false),
                "gone", gauge(registry, "syncer.gone", "changesets the host no longer has", f -> f.gone(), false),
                "paused", gauge(registry, "syncer.paused.until.seconds",
                        "end of the host's pause, seconds since the epoch (0: not paused)",
                        HostFigures::pausedUntilEpochSeconds, false),
                "budget", gauge(registry, "syncer.budget.left",
                        "requests left in the host's budget now (no series: no budget)",
                        f -> f.budgetLeft() == null ? Double.NaN : f.budgetLeft(), true));
        Gauge.builder(EXPORTER, exporting, AtomicInteger::get)
                .description("1 on the replica that exports the fleet's gauges (holds the advisory lock), else 0")
                .register(registry);
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(name + "-fleet-gauges").daemon().factory());
    }

    /**
     * Starts refreshing every {@code every}, at once first.
     *
     * @param name names the refresh thread and the lock's connection ({@code <name>-fleet-gauges})
     */
    public static FleetGauges start(String name, String jdbcUrl, MeterRegistry registry, Duration every) {
        FleetGauges fleet = new FleetGauges(name, jdbcUrl, registry);
        fleet.timer.scheduleWithFixedDelay(fleet::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return fleet;
    }

    /** Whether this replica exports the gauges now. */
    public boolean exporting() {
        return exporting.get() == 1;
    }

    private static Gauges gauge(MeterRegistry registry, String name, String description,
            ToDoubleFunction<HostFigures> value, boolean skipNull) {
        return new Gauges(MultiGauge.builder(name).description(description).register(registry), value, skipNull);
    }

    private void refresh() {
        try {
            if (holder == null && !takeLock()) {
                return;
            }
            export(read(holder));
        } catch (SQLException | RuntimeException e) {
            if (holder != null) {
                log.warn("stopped exporting the fleet's gauges (the lock's connection failed; another replica takes "
                        + "over): {}", DatabaseErrors.brief(e));
            } else {
                log.debug("could not try the fleet gauges' lock: {}", DatabaseErrors.brief(e));
            }
            letGo();
        }
    }

    /** Tries the lock on a fresh connection, kept only while it holds the lock. */
    private boolean takeLock() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("ApplicationName", name + "-fleet-gauges");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("socketTimeout", "30"); // a dead peer ends the export instead of hanging it
        properties.setProperty("connectTimeout", "10");
        Connection connection = DriverManager.getConnection(jdbcUrl, properties);
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            lock.setLong(1, LOCK_KEY);
            try (ResultSet row = lock.executeQuery()) {
                if (row.next() && row.getBoolean(1)) {
                    holder = connection;
                    exporting.set(1);
                    log.info("{} exports the fleet's per-host gauges (it holds their advisory lock)", name);
                    return true;
                }
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        connection.close(); // another replica exports them
        return false;
    }

    private static List<HostFigures> read(Connection connection) throws SQLException {
        List<HostFigures> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(SUMMARY); ResultSet r = select.executeQuery()) {
            while (r.next()) {
                double budget = r.getDouble(8);
                Double budgetLeft = r.wasNull() ? null : budget;
                rows.add(new HostFigures(r.getString(1), r.getLong(2), r.getDouble(3), r.getLong(4), r.getLong(5),
                        r.getLong(6), r.getDouble(7), budgetLeft));
            }
        }
        return rows;
    }

    /**
     * New values for the rows in place; a row is added or removed only when a host comes or goes (a
     * meter removed and added again while a scrape runs could be exported twice).
     */
    private void export(List<HostFigures> hosts) {
        Map<String, HostFigures> byHost = new HashMap<>();
        hosts.forEach(h -> byHost.put(h.codeHost(), h));
        latest = byHost;
        for (Gauges g : gauges.values()) {
            g.gauge().register(hosts.stream()
                    .filter(h -> !g.skipNull() || h.budgetLeft() != null)
                    .map(h -> MultiGauge.Row.of(Tags.of("code_host", h.codeHost()), this,
                            self -> self.value(h.codeHost(), g.value())))
                    .toList(), false);
        }
    }

    private double value(String codeHost, ToDoubleFunction<HostFigures> value) {
        HostFigures figures = latest.get(codeHost);
        return figures == null ? Double.NaN : value.applyAsDouble(figures);
    }

    /** Stops exporting: the series disappear and the lock (with its connection) goes. */
    private void letGo() {
        for (Gauges g : gauges.values()) {
            g.gauge().register(List.of(), true);
        }
        latest = Map.of();
        exporting.set(0);
        Connection connection = holder;
        holder = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the session is gone or going: the lock with it
            }
        }
    }

    /** Stops refreshing and gives the lock up, so that another replica takes over at its next refresh. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        letGo();
    }
}
