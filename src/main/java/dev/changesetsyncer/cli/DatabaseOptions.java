package dev.changesetsyncer.cli;

import dev.changesetsyncer.db.DatabaseConfig;
import dev.changesetsyncer.db.JdbcUrls;
import dev.changesetsyncer.secrets.Secrets;
import picocli.CommandLine.Option;

/** The database options shared by every command. */
final class DatabaseOptions {
    static final String URL_VARIABLE = "SYNCER_DATABASE_URL";

    @Option(
            names = "--database-url",
            paramLabel = "JDBC_URL",
            defaultValue = "${env:" + URL_VARIABLE + "}",
            description = "jdbc:postgresql:// URL of the database (default: $" + URL_VARIABLE + ", else "
                    + DatabaseConfig.DEFAULT_URL + ").")
    String databaseUrl;

    /** The URL; its password, if any, is masked in every message from now on. */
    String url() {
        String fromEnvironment = System.getenv(URL_VARIABLE);
        String url = databaseUrl != null && !databaseUrl.isBlank() ? databaseUrl
                : fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment : DatabaseConfig.DEFAULT_URL;
        JdbcUrls.password(url).ifPresent(Secrets::register);
        return url;
    }

    DatabaseConfig config(String applicationName, int poolSize) {
        return new DatabaseConfig(url(), applicationName, poolSize);
    }
}
