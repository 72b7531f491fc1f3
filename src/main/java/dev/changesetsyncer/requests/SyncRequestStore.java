package dev.changesetsyncer.requests;

import static dev.changesetsyncer.jooq.Tables.CHANGESETS;
import static dev.changesetsyncer.jooq.Tables.CODE_HOSTS;
import static dev.changesetsyncer.jooq.Tables.REPOS;
import static dev.changesetsyncer.jooq.Tables.SYNC_REQUESTS;

import dev.changesetsyncer.db.SchemaViolation;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Asks for immediate syncs: the same INSERT INTO sync_requests anyone can write by hand, one
 * statement per call whatever the number of changesets.
 */
public final class SyncRequestStore {
    /** What to ask for. */
    public enum Priority {
        /** Mass re-syncs (a whole repository): claimed beside routine syncs, never drowning them or requests. */
        BULK(0), REQUESTED(1), URGENT(2);

        final short level;

        Priority(int level) {
            this.level = (short) level;
        }
    }

    /** A request that cannot be made as asked; the message says why. */
    public static final class RequestRejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RequestRejected(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final DSLContext dsl;

    public SyncRequestStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** @return how many requests were recorded (one per changeset) */
    public int requestChangesets(List<Long> changesetIds, String reason, String requestedBy, Priority priority) {
        try {
            var insert = dsl.insertInto(SYNC_REQUESTS, SYNC_REQUESTS.CHANGESET_ID, SYNC_REQUESTS.REASON,
                    SYNC_REQUESTS.REQUESTED_BY, SYNC_REQUESTS.PRIORITY);
            for (long id : changesetIds) {
                insert = insert.values(id, reason, requestedBy, priority.level);
            }
            return insert.execute();
        } catch (DataAccessException e) {
            throw rejected(e);
        }
    }

    /**
     * Requests every changeset of a repository, named as on its host (e.g. {@code acme/api}).
     *
     * @param codeHostName required when several hosts have a repository of that name
     */
    public int requestRepository(String repoName, String codeHostName, String reason, String requestedBy,
            Priority priority) {
        Condition repo = REPOS.NAME.eq(repoName);
        if (codeHostName != null) {
            repo = repo.and(REPOS.CODE_HOST_ID.eq(hostId(codeHostName)));
        }
        List<Long> repoIds = dsl.select(REPOS.ID).from(REPOS).where(repo).fetch(REPOS.ID);
        if (repoIds.isEmpty()) {
            throw new RequestRejected("no repository named " + repoName
                    + (codeHostName == null ? "" : " on code host " + codeHostName), null);
        }
        if (repoIds.size() > 1) {
            throw new RequestRejected(repoIds.size() + " code hosts have a repository named " + repoName
                    + ": say which with --code-host", null);
        }
        return requestWhere(CHANGESETS.REPO_ID.eq(repoIds.getFirst()), reason, requestedBy, priority);
    }

    /** Requests every changeset of the repository with this id. */
    public int requestRepository(long repoId, String reason, String requestedBy, Priority priority) {
        return requestWhere(CHANGESETS.REPO_ID.eq(repoId), reason, requestedBy, priority);
    }

    /** Requests every changeset of every repository of a code host. */
    public int requestCodeHost(String codeHostName, String reason, String requestedBy, Priority priority) {
        long host = hostId(codeHostName);
        return requestWhere(CHANGESETS.REPO_ID.in(DSL.select(REPOS.ID).from(REPOS).where(REPOS.CODE_HOST_ID.eq(host))),
                reason, requestedBy, priority);
    }

    private int requestWhere(Condition changesets, String reason, String requestedBy, Priority priority) {
        try {
            return dsl.insertInto(SYNC_REQUESTS, SYNC_REQUESTS.CHANGESET_ID, SYNC_REQUESTS.REASON,
                            SYNC_REQUESTS.REQUESTED_BY, SYNC_REQUESTS.PRIORITY)
                    .select(DSL.select(CHANGESETS.ID, DSL.val(reason), DSL.val(requestedBy), DSL.val(priority.level))
                            .from(CHANGESETS).where(changesets))
                    .execute();
        } catch (DataAccessException e) {
            throw rejected(e);
        }
    }

    private long hostId(String codeHostName) {
        Long id = dsl.select(CODE_HOSTS.ID).from(CODE_HOSTS).where(CODE_HOSTS.NAME.eq(codeHostName)).fetchOne(CODE_HOSTS.ID);
        if (id == null) {
            throw new RequestRejected("no code host named " + codeHostName, null);
        }
        return id;
    }

    private static RuntimeException rejected(DataAccessException e) {
        return SchemaViolation.from(e)
                .<RuntimeException>map(violation -> new RequestRejected(switch (violation.kind()) {
                    case FOREIGN_KEY -> "no such changeset: " + violation.getMessage();
                    default -> violation.getMessage();
                }, violation))
                .orElse(e);
    }
}
