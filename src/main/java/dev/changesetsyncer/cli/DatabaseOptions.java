package dev.changesetsyncer.cli;

import dev.changesetsyncer.db.DatabaseConfig;
import picocli.CommandLine.Option;

/** The database options shared by every command. */
final class DatabaseOptions {
    static final String URL_VARIABLE = "SYNCER_DATABASE_URL";

    @Option(
            names = "--database-url",
            paramLabel = "JDBC_URL",
            description = "jdbc:postgresql:// URL of the database (default: $" + URL_VARIABLE + ", else "
                    + DatabaseConfig.DEFAULT_URL + ").")
    String databaseUrl;

    String url() {
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            return databaseUrl;
        }
        String fromEnvironment = System.getenv(URL_VARIABLE);
        return fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment : DatabaseConfig.DEFAULT_URL;
    }

    DatabaseConfig config(String applicationName, int poolSize) {
        return new DatabaseConfig(url(), applicationName, poolSize);
    }
}
