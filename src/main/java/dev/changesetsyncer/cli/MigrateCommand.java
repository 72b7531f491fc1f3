package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseCreator;
import dev.changesetsyncer.db.JdbcUrls;
import dev.changesetsyncer.db.Migrations;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code migrate}: brings the schema up to date (workers also do this when they start). */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Create or upgrade the schema. Safe to run from several processes at once.")
final class MigrateCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(MigrateCommand.class);

    @Mixin
    DatabaseOptions database;

    @Option(names = "--create-database", description = "Create the database first if it does not exist.")
    boolean createDatabase;

    @Override
    public Integer call() {
        String url = database.url();
        if (createDatabase) {
            DatabaseCreator.createIfMissing(url);
        }
        try (HikariDataSource dataSource = DataSources.open(database.config("changeset-syncer-migrate", 1))) {
            Migrations.migrate(dataSource);
        }
        log.info("schema of {} is up to date", JdbcUrls.redact(url));
        return 0;
    }
}
