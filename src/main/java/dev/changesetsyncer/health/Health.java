package dev.changesetsyncer.health;

import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.db.Migrations;
import dev.changesetsyncer.http.TextAnswers;
import dev.changesetsyncer.worker.Liveness;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.eclipse.jetty.server.Request;

/**
 * A replica's health, open to anyone (no credentials, nothing secret in the answers):
 * <ul>
 * <li>{@code GET /healthz} (liveness): 200 while the replica's claim loop, writer and LISTEN
 *     connection's thread are alive; 503 naming each one that is not. A restart cures it.</li>
 * <li>{@code GET /readyz} (readiness): 200 while the database answers and its schema has every
 *     change of this version; 503 otherwise, and from the start of a shutdown on.</li>
 * </ul>
 */
public final class Health {
    public static final String LIVENESS_PATH = "/healthz";
    public static final String READINESS_PATH = "/readyz";

    private final DataSource database;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private volatile Supplier<List<Liveness>> parts = List::of;
    /** Once the schema is complete it stays so (migrations only add): checked until then. */
    private volatile boolean migrated;

    /** @param database a pool to check readiness through (the HTTP server's) */
    public Health(DataSource database) {
        this.database = database;
    }

    /** The parts {@code /healthz} reports on (a replica's, once it runs). */
    public void watch(Supplier<List<Liveness>> liveness) {
        this.parts = liveness;
    }

    /** From now on {@code /readyz} answers 503: load balancers stop sending work while the replica drains. */
    public void shuttingDown() {
        shuttingDown.set(true);
    }

    public Request.Handler liveness() {
        return (request, response, callback) -> {
            List<Liveness> all = parts.get();
            List<Liveness> dead = all.stream().filter(p -> !p.alive()).toList();
            if (dead.isEmpty()) {
                TextAnswers.write(response, callback, 200, all.isEmpty() ? "alive (no replica in this process)"
                        : "alive: " + describe(all));
            } else {
                TextAnswers.write(response, callback, 503, "dead: " + describe(dead));
            }
            return true;
        };
    }

    public Request.Handler readiness() {
        return (request, response, callback) -> {
            String problem = readinessProblem();
            TextAnswers.write(response, callback, problem == null ? 200 : 503,
                    problem == null ? "ready: the database answers and its schema is this version's" : "not ready: " + problem);
            return true;
        };
    }

    /** Why the replica is not ready, or null when it is. */
    private String readinessProblem() {
        if (shuttingDown.get()) {
            return "shutting down";
        }
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(5);
            statement.execute("SELECT 1");
        } catch (Exception e) {
            return "the database does not answer: " + DatabaseErrors.brief(e);
        }
        if (!migrated) {
            try {
                List<String> missing = Migrations.missingChangesets(database);
                if (!missing.isEmpty()) {
                    return "the schema lacks " + missing.size() + " of this version's changes (first: " + missing.getFirst()
                            + ")";
                }
                migrated = true;
            } catch (RuntimeException e) {
                return "cannot read the schema's version: " + DatabaseErrors.brief(e);
            }
        }
        return null;
    }

    private static String describe(List<Liveness> parts) {
        return parts.stream().map(p -> p.part() + " (" + p.detail() + ")").collect(Collectors.joining(", "));
    }
}
