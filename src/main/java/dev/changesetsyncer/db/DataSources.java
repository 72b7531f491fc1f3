package dev.changesetsyncer.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/** Connection pools. */
public final class DataSources {
    /** What to do when the database is unreachable as the pool opens. */
    public enum WhenDown {
        /** Throw at once: commands that are pointless without a database. */
        FAIL,
        /** Open anyway; each call fails until the database is back (workers log and retry). */
        TOLERATE
    }

    private DataSources() {}

    /**
     * A pool for a long-running worker: as {@link #open(DatabaseConfig, WhenDown)}, and a call that
     * gets no answer for {@code socketTimeout} fails (and is retried) instead of hanging the worker
     * on a connection the network silently dropped. Worker calls take milliseconds.
     */
    public static HikariDataSource openForWorker(DatabaseConfig config, Duration socketTimeout) {
        HikariConfig hikari = config(config, WhenDown.TOLERATE);
        hikari.addDataSourceProperty("socketTimeout", String.valueOf(Math.max(1, socketTimeout.toSeconds())));
        return new HikariDataSource(hikari);
    }

    /** As {@link #openForWorker(DatabaseConfig, Duration)}, with HikariCP's pool meters in {@code registry}. */
    public static HikariDataSource openForWorker(DatabaseConfig config, Duration socketTimeout, MeterRegistry registry) {
        HikariConfig hikari = config(config, WhenDown.TOLERATE);
        hikari.addDataSourceProperty("socketTimeout", String.valueOf(Math.max(1, socketTimeout.toSeconds())));
        hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        return new HikariDataSource(hikari);
    }

    /** A HikariCP pool; connections carry the application name so {@code pg_stat_activity} shows who holds what. */
    public static HikariDataSource open(DatabaseConfig config, WhenDown whenDown) {
        return new HikariDataSource(config(config, whenDown));
    }

    private static HikariConfig config(DatabaseConfig config, WhenDown whenDown) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setPoolName(config.applicationName());
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setMinimumIdle(Math.min(2, config.maxPoolSize()));
        hikari.setConnectionTimeout(5_000);
        hikari.setInitializationFailTimeout(whenDown == WhenDown.FAIL ? 1 : -1);
        hikari.addDataSourceProperty("ApplicationName", config.applicationName());
        // Notice a dead peer instead of waiting on a half-open connection for ever.
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        return hikari;
    }

    public static HikariDataSource open(DatabaseConfig config) {
        return open(config, WhenDown.FAIL);
    }
}
