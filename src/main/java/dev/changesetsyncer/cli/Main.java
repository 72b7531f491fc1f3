package dev.changesetsyncer.cli;

import com.zaxxer.hikari.pool.HikariPool.PoolInitializationException;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.db.Migrations.MigrationException;
import dev.changesetsyncer.db.SchemaViolation;
import dev.changesetsyncer.logging.LogFormat;
import dev.changesetsyncer.logging.LogLevel;
import dev.changesetsyncer.requests.SyncRequestStore;
import dev.changesetsyncer.secrets.SafeText;
import dev.changesetsyncer.secrets.Secrets;
import java.util.Optional;
import org.jooq.exception.DataAccessException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the executable jar: {@code changeset-syncer <command>}. */
@Command(
        name = "changeset-syncer",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Keeps pull/merge requests mirrored in PostgreSQL, each on its own schedule computed by Postgres.",
        subcommands = {MigrateCommand.class, RunCommand.class, DemoCommand.class, ScheduleCommand.class,
            RequestCommand.class, LimitsCommand.class, RolesCommand.class, TrackCommand.class, UntrackCommand.class, BenchCommand.class,
            SimulateCommand.class,
            SimulateHostCommand.class, SoakCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        // before anything logs: Logback would take a misspelt level for DEBUG
        Optional<String> badLevel = LogLevel.problem(System.getenv()).or(() -> LogFormat.problem(System.getenv()));
        if (badLevel.isPresent()) {
            System.err.println("changeset-syncer: " + badLevel.get());
            System.exit(2);
        }
        Secrets.registerEnvironment(System.getenv());
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Main::reportFailure);
    }

    /** Expected failures (bad input, unreachable database) print one clear line and exit 2; no stack trace. */
    private static int reportFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult)
            throws Exception {
        if (e instanceof SyncRequestStore.RequestRejected || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof SchemaViolation || e instanceof MigrationException) {
            commandLine.getErr().println(commandLine.getCommandName() + ": " + SafeText.of(e.getMessage()));
            return 2;
        }
        if (e instanceof DataAccessException || e instanceof PoolInitializationException) {
            commandLine.getErr().println(commandLine.getCommandName() + ": database error: "
                    + SafeText.of(DatabaseErrors.brief(DatabaseErrors.rootCause(e))));
            return 2;
        }
        throw e; // a bug: let picocli print the stack trace
    }
}
