package dev.changesetsyncer.admin;

import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.HostPauses;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.db.SchemaViolation;
import dev.changesetsyncer.requests.SyncRequestStore;
import dev.changesetsyncer.secrets.SafeText;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The admin page's actions, each the SQL a DBA would write (through the same Java as the commands:
 * {@code request}, {@code limits}), in one transaction with its row in {@code admin_audit}. A refused
 * action is recorded too, with why.
 */
public final class AdminActions {
    /** What came of an action: the audit row that records it, and a line for the operator. */
    public sealed interface Outcome permits Done, Refused {
        long auditId();

        String message();
    }

    public record Done(long auditId, String message, String sql) implements Outcome {}

    public record Refused(long auditId, String message) implements Outcome {}

    static final Duration LONGEST_PAUSE = Duration.ofDays(30);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})\\s*(s|m|min|h|d)");

    private final DSLContext dsl;

    public AdminActions(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Sync now: {@code INSERT INTO sync_requests (changeset_id, reason, requested_by) VALUES (...)}. */
    public Outcome syncNow(String who, long changesetId) {
        String target = "changeset " + changesetId;
        return act(who, "sync-now", target, tx -> {
            int made = new SyncRequestStore(tx).requestChangesets(List.of(changesetId), "sync now (admin page)", who,
                    SyncRequestStore.Priority.REQUESTED);
            return new Done(0, "requested a sync of " + target + " as " + who + " (" + made + " request)",
                    "INSERT INTO sync_requests (changeset_id, reason, requested_by) VALUES (" + changesetId
                            + ", 'sync now (admin page)', " + literal(who) + ");");
        });
    }

    /**
     * Syncs every changeset of a repository, as bulk requests (priority 0): claimed beside routine
     * syncs, so a big repository neither delays other requests nor drowns the host's routine syncs.
     */
    public Outcome syncRepository(String who, long repoId) {
        String name = dsl.fetchOptional("SELECT r.name || ' on ' || h.name FROM repos r JOIN code_hosts h ON h.id = r.code_host_id "
                + "WHERE r.id = ?", repoId).map(r -> r.get(0, String.class)).orElse(null);
        String target = "repository " + (name == null ? "#" + repoId : name);
        if (name == null) {
            return refused(who, "sync-repository", target, "there is no repository with id " + repoId);
        }
        return act(who, "sync-repository", target, tx -> {
            int made = new SyncRequestStore(tx).requestRepository(repoId, "sync the repository (admin page)", who,
                    SyncRequestStore.Priority.BULK);
            return new Done(0, "requested bulk syncs of the " + made + " changesets of " + target,
                    "INSERT INTO sync_requests (changeset_id, reason, requested_by, priority)\n"
                            + "SELECT id, 'sync the repository (admin page)', " + literal(who) + ", 0 FROM changesets WHERE repo_id = "
                            + repoId + ";");
        });
    }

    /** {@code SELECT pause_code_host(name, now() + duration, reason)}. */
    public Outcome pause(String who, String host, String duration, String reason) {
        String target = "code host " + host;
        Duration length;
        try {
            length = parseDuration(duration);
        } catch (IllegalArgumentException e) {
            return refused(who, "pause", target, e.getMessage());
        }
        String why = reason == null || reason.isBlank() ? "paused on the admin page by " + who : reason.strip() + " (" + who + ")";
        return act(who, "pause", target, tx -> {
            Instant until = new HostPauses(tx).pause(host, length, why);
            return new Done(0, "paused " + host + " until " + Show.time(until) + " for every replica",
                    "SELECT pause_code_host(" + literal(host) + ", now() + interval '" + length.toSeconds() + " seconds', "
                            + literal(why) + ");");
        });
    }

    /** {@code SELECT resume_code_host(name)}. */
    public Outcome resume(String who, String host) {
        return act(who, "resume", "code host " + host, tx -> {
            var ended = new HostPauses(tx).resume(host);
            return new Done(0, ended.map(t -> "resumed " + host + " (its pause would have lasted until " + Show.time(t) + ")")
                    .orElse(host + " was not paused: nothing to resume"), "SELECT resume_code_host(" + literal(host) + ");");
        });
    }

    /**
     * What {@code limits --code-host NAME --requests-per-hour N|none} does: the host's budget, shared by
     * all replicas from their next claim.
     */
    public Outcome rateLimit(String who, String host, String requestsPerHour) {
        String target = "code host " + host;
        Integer wanted;
        try {
            wanted = requestsPerHour(requestsPerHour);
        } catch (IllegalArgumentException e) {
            return refused(who, "rate-limit", target, e.getMessage());
        }
        return act(who, "rate-limit", target, tx -> {
            CatalogStore store = new CatalogStore(tx);
            CodeHost codeHost = store.findCodeHost(host)
                    .orElseThrow(() -> new IllegalArgumentException("no code host named " + host));
            RateLimitSettings now = store.rateLimits(codeHost.id()).orElseThrow();
            store.updateRateLimits(codeHost.id(), now.withRequestsPerHour(wanted));
            return new Done(0, "requests per hour of " + host + ": " + show(now.requestsPerHour()) + " → " + show(wanted)
                    + "; replicas apply it at their next claim",
                    "UPDATE code_hosts SET requests_per_hour = " + (wanted == null ? "NULL" : wanted) + " WHERE name = "
                            + literal(host) + ";");
        });
    }

    /** Records a successful log-in. */
    public void loggedIn(String who, String how) {
        record(dsl, who, "login", "admin page", "logged in with " + how);
    }

    private interface Step {
        Done run(DSLContext tx);
    }

    private Outcome act(String who, String action, String target, Step step) {
        try {
            return dsl.transactionResult(configuration -> {
                DSLContext tx = DSL.using(configuration);
                Done done = step.run(tx);
                long id = record(tx, who, action, target, done.message());
                return new Done(id, done.message(), done.sql());
            });
        } catch (IllegalArgumentException | SyncRequestStore.RequestRejected | SchemaViolation e) {
            return refused(who, action, target, e.getMessage());
        } catch (RuntimeException e) {
            // jOOQ wraps what the step threw inside the transaction
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException || cause instanceof SyncRequestStore.RequestRejected
                    || cause instanceof SchemaViolation) {
                return refused(who, action, target, cause.getMessage());
            }
            throw e;
        }
    }

    private Refused refused(String who, String action, String target, String why) {
        String message = "refused: " + SafeText.of(why);
        return new Refused(record(dsl, who, action, target, message), message);
    }

    private static long record(DSLContext dsl, String who, String action, String target, String details) {
        return dsl.fetchSingle("INSERT INTO admin_audit (who, action, target, details) VALUES (?, ?, ?, ?) RETURNING id",
                clip(who, 200), action, clip(target, 500), clip(details, 2000)).get(0, Long.class);
    }

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("a pause is a number and a unit, e.g. 30m, 2h or 1d; got \"" + text + "\"");
        }
        long amount = Long.parseLong(m.group(1));
        Duration length = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m", "min" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (length.isZero() || length.compareTo(LONGEST_PAUSE) > 0) {
            throw new IllegalArgumentException("a pause lasts from a second to 30 days; got " + text.strip());
        }
        return length;
    }

    static Integer requestsPerHour(String text) {
        String value = text == null ? "" : text.strip();
        if (value.equalsIgnoreCase("none")) {
            return null;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= 1 && number <= RateLimitSettings.MAX_REQUESTS_PER_HOUR) {
                return number;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("requests per hour is a whole number within [1, "
                + RateLimitSettings.MAX_REQUESTS_PER_HOUR + "] or 'none'; got \"" + value + "\"");
    }

    private static String show(Integer requestsPerHour) {
        return requestsPerHour == null ? "none" : requestsPerHour.toString();
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static String clip(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
