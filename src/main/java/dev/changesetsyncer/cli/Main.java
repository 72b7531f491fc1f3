package dev.changesetsyncer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the executable jar: {@code changeset-syncer <command>}. */
@Command(
        name = "changeset-syncer",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Keeps pull/merge requests mirrored in PostgreSQL, each on its own schedule computed by Postgres.",
        subcommands = {MigrateCommand.class, RunCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
