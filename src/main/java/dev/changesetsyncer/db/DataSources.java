package dev.changesetsyncer.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** Connection pools. */
public final class DataSources {
    private DataSources() {}

    /** A HikariCP pool; connections carry the application name so {@code pg_stat_activity} shows who holds what. */
    public static HikariDataSource open(DatabaseConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setPoolName(config.applicationName());
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setMinimumIdle(Math.min(2, config.maxPoolSize()));
        hikari.setConnectionTimeout(10_000);
        hikari.addDataSourceProperty("ApplicationName", config.applicationName());
        // Fail a query that hangs on a dead TCP connection instead of waiting for ever.
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        return new HikariDataSource(hikari);
    }
}
