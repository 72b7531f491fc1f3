package dev.changesetsyncer.db;

import java.util.Objects;

/**
 * How to reach the database.
 *
 * @param jdbcUrl a {@code jdbc:postgresql://} URL; user and password may be in its query string
 * @param applicationName shown in {@code pg_stat_activity.application_name} (the worker id)
 * @param maxPoolSize connections in the pool
 */
public record DatabaseConfig(String jdbcUrl, String applicationName, int maxPoolSize) {
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/changeset_syncer?user=postgres";

    public DatabaseConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(applicationName, "applicationName");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "database URL must start with jdbc:postgresql:, got " + JdbcUrls.redact(jdbcUrl));
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("maxPoolSize must be at least 1, got " + maxPoolSize);
        }
    }
}
