package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.JdbcUrls;
import java.util.concurrent.Callable;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code roles}: the least-privilege roles (migrator, worker, requester, reader), created or shown. */
@Command(name = "roles", mixinStandardHelpOptions = true,
        description = {"Create the roles changeset-syncer runs as, or show what each may do (docs/operations.md, Security).",
            "--create (as a superuser, on a migrated database) creates NOLOGIN roles <prefix>migrator, <prefix>worker, "
                    + "<prefix>requester and <prefix>reader, makes the migrator the schema's owner and grants the others "
                    + "exactly what they need; every later migration keeps the grants current. The same in SQL: "
                    + "SELECT create_syncer_roles('syncer_');"})
final class RolesCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "syncer_",
            description = "Start of the roles' names (default: ${DEFAULT-VALUE}); roles are shared by the whole server.")
    String prefix;

    @ArgGroup(exclusive = true)
    Action action = new Action();

    static final class Action {
        @Option(names = "--create", description = "Create the roles (if missing), transfer the schema, grant.")
        boolean create;

        @Option(names = "--drop", description = "Drop the roles (the migrator's objects go to you).")
        boolean drop;
    }

    @Override
    public Integer call() {
        if (!prefix.matches("[a-z_][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("--prefix is lower-case letters, digits and underscores, starting with a "
                    + "letter or an underscore, at most 41 characters; got \"" + prefix + "\"");
        }
        try (HikariDataSource pool = DataSources.open(database.config("changeset-syncer-roles", 1))) {
            DSLContext dsl = DSL.using(pool, SQLDialect.POSTGRES);
            if (action.create) {
                dsl.execute("SELECT create_syncer_roles({0})", DSL.val(prefix));
                System.out.printf("created the roles %smigrator, %sworker, %srequester and %sreader in %s%n", prefix, prefix,
                        prefix, prefix, JdbcUrls.redact(database.url()));
                System.out.printf("log-in roles join them, e.g.:%n"
                        + "  CREATE ROLE syncer_a LOGIN PASSWORD '...' IN ROLE %sworker;%n"
                        + "  CREATE ROLE syncer_deploy LOGIN PASSWORD '...' IN ROLE %smigrator;"
                        + " ALTER ROLE syncer_deploy SET role = '%smigrator';%n", prefix, prefix, prefix);
            } else if (action.drop) {
                dsl.execute("SELECT drop_syncer_roles({0})", DSL.val(prefix));
                System.out.printf("dropped the roles %s*%n", prefix);
            }
            TextTable table = new TextTable("role", "may", "on", "why");
            dsl.fetch("SELECT purpose, privileges, on_object, why FROM syncer_role_grants()").forEach(r -> table.add(
                    prefix + r.get(0, String.class), r.get(1, String.class), r.get(2, String.class), r.get(3, String.class)));
            table.add(prefix + "migrator", "everything", "the schema's objects (their owner)", "runs the migrations");
            table.print(System.out);
        }
        return 0;
    }
}
