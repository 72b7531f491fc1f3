package dev.changesetsyncer.codehost.gitlab;

import dev.changesetsyncer.codehost.http.HostCallException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The archived flag of each project, which merge requests do not carry: read ({@code GET
 * /projects/:id}) on a project's first sync, then at most every 10 minutes, or as soon as the
 * database's flag disagrees. It lives in memory, so each replica has its own. While one sync refreshes a project's flag, the others go on with the
 * previous value instead of reading it too.
 */
final class GitLabArchivedFlags {
    static final Duration MAX_AGE = Duration.ofMinutes(10);

    /**
     * A project's flag as one sync sees it.
     *
     * @param readThisSync read from GitLab by this sync, not taken from memory
     */
    record Flag(boolean archived, boolean readThisSync) {
        /**
         * Reported to the database only when just read: a value remembered by one replica may be up
         * to 10 minutes older than another's, and reporting it would flip the repository back.
         */
        Boolean reported() {
            return readThisSync ? archived : null;
        }

        /** What the changeset records, to notice when the flag changed since its last sync. */
        String marker() {
            return String.valueOf(archived);
        }
    }

    /** Reads the flag from GitLab. */
    @FunctionalInterface
    interface Reader {
        boolean archived() throws HostCallException, InterruptedException;
    }

    private record Known(boolean archived, long readAtNanos) {}

    private final LongSupplier nanoClock;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    /** @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}) */
    GitLabArchivedFlags(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * The project's flag: remembered while fresh and agreeing with the database, else read with
     * {@code reader}. The database disagreeing means another replica saw the flag change: read it
     * now rather than up to 10 minutes later (the urgent syncs of an archived flip would otherwise
     * be answered from a stale memory).
     *
     * @param databaseSays the repository's flag in the database (null: unknown)
     */
    Flag get(String project, Boolean databaseSays, Reader reader) throws HostCallException, InterruptedException {
        Known remembered = known.get(project);
        boolean agrees = remembered != null && (databaseSays == null || databaseSays == remembered.archived());
        if (agrees && nanoClock.getAsLong() - remembered.readAtNanos() < MAX_AGE.toNanos()) {
            return new Flag(remembered.archived(), false);
        }
        boolean claimed = refreshing.add(project);
        if (remembered != null && !claimed) {
            return new Flag(remembered.archived(), false); // another sync is reading it right now
        }
        try {
            boolean archived = reader.archived();
            known.put(project, new Known(archived, nanoClock.getAsLong()));
            return new Flag(archived, true);
        } finally {
            if (claimed) {
                refreshing.remove(project);
            }
        }
    }
}
