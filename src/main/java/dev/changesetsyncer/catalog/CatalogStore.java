package dev.changesetsyncer.catalog;

import static dev.changesetsyncer.jooq.Tables.CHANGESETS;
import static dev.changesetsyncer.jooq.Tables.CODE_HOSTS;
import static dev.changesetsyncer.jooq.Tables.REPOS;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.changesetsyncer.db.SchemaViolation;
import dev.changesetsyncer.jooq.Routines;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.EnumType;
import org.jooq.JSONB;
import org.jooq.Records;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Registers code hosts, repositories and changesets, and which repositories' pull requests are
 * tracked. Each changeset (and repository) inserted here gets its queue row (and so its schedule)
 * from the database's triggers, in the same statement.
 */
public final class CatalogStore {
    private final DSLContext dsl;

    public CatalogStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Inserts a code host. @throws SchemaViolation for a duplicate name or settings the schema rejects */
    public CodeHost createCodeHost(String name, CodeHostKind kind, String baseUrl,
            ScheduleSettings settings) {
        try {
            return dsl.insertInto(CODE_HOSTS)
                    .set(CODE_HOSTS.NAME, name)
                    .set(CODE_HOSTS.KIND, toSql(kind, CODE_HOSTS.KIND.getType()))
                    .set(CODE_HOSTS.BASE_URL, baseUrl)
                    .set(CODE_HOSTS.MIN_SYNC_DELAY, settings.minSyncDelay())
                    .set(CODE_HOSTS.MAX_SYNC_DELAY, settings.maxSyncDelay())
                    .set(CODE_HOSTS.CHECKS_PENDING_MAX_DELAY, settings.checksPendingMaxDelay())
                    .set(CODE_HOSTS.FINISHED_MAX_DELAY, settings.finishedMaxDelay())
                    .returningResult(CODE_HOSTS.ID, CODE_HOSTS.NAME, CODE_HOSTS.KIND, CODE_HOSTS.BASE_URL)
                    .fetchOne(record -> toCodeHost(record.value1(), record.value2(), record.value3(), record.value4()));
        } catch (DataAccessException e) {
            throw SchemaViolation.translate(e);
        }
    }

    /**
     * Replaces a host's schedule settings; the database reschedules its changesets at once.
     *
     * @return false if there is no such host
     * @throws SchemaViolation for settings the schema rejects
     */
    public boolean updateSettings(long codeHostId, ScheduleSettings settings) {
        try {
            return dsl.update(CODE_HOSTS)
                    .set(CODE_HOSTS.MIN_SYNC_DELAY, settings.minSyncDelay())
                    .set(CODE_HOSTS.MAX_SYNC_DELAY, settings.maxSyncDelay())
                    .set(CODE_HOSTS.CHECKS_PENDING_MAX_DELAY, settings.checksPendingMaxDelay())
                    .set(CODE_HOSTS.FINISHED_MAX_DELAY, settings.finishedMaxDelay())
                    .where(CODE_HOSTS.ID.eq(codeHostId))
                    .execute() == 1;
        } catch (DataAccessException e) {
            throw SchemaViolation.translate(e);
        }
    }

    /**
     * Replaces a host's rate limits; the next claim of any replica applies them.
     *
     * @return false if there is no such host
     * @throws SchemaViolation for values the schema rejects (zero or negative)
     */
    public boolean updateRateLimits(long codeHostId, RateLimitSettings limits) {
        try {
            return dsl.update(CODE_HOSTS)
                    .set(CODE_HOSTS.REQUESTS_PER_HOUR, limits.requestsPerHour())
                    .set(CODE_HOSTS.REQUEST_BURST, limits.requestBurst())
                    .set(CODE_HOSTS.REQUESTS_PER_SYNC, (float) limits.requestsPerSync())
                    .set(CODE_HOSTS.MAX_IN_FLIGHT, limits.maxInFlight())
                    .where(CODE_HOSTS.ID.eq(codeHostId))
                    .execute() == 1;
        } catch (DataAccessException e) {
            throw SchemaViolation.translate(e);
        }
    }

    public Optional<RateLimitSettings> rateLimits(long codeHostId) {
        return dsl.select(CODE_HOSTS.REQUESTS_PER_HOUR, CODE_HOSTS.REQUEST_BURST, CODE_HOSTS.REQUESTS_PER_SYNC,
                        CODE_HOSTS.MAX_IN_FLIGHT)
                .from(CODE_HOSTS).where(CODE_HOSTS.ID.eq(codeHostId))
                .fetchOptional(r -> new RateLimitSettings(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    public Optional<CodeHost> findCodeHost(String name) {
        return dsl.select(CODE_HOSTS.ID, CODE_HOSTS.NAME, CODE_HOSTS.KIND, CODE_HOSTS.BASE_URL)
                .from(CODE_HOSTS)
                .where(CODE_HOSTS.NAME.eq(name))
                .fetchOptional(record -> toCodeHost(record.value1(), record.value2(), record.value3(), record.value4()));
    }

    /** Inserts a repository. @throws SchemaViolation for an unknown host or a duplicate external id */
    public Repo createRepo(long codeHostId, String externalId, String name) {
        try {
            return dsl.insertInto(REPOS)
                    .set(REPOS.CODE_HOST_ID, codeHostId)
                    .set(REPOS.EXTERNAL_ID, externalId)
                    .set(REPOS.NAME, name)
                    .returningResult(REPOS.ID, REPOS.CODE_HOST_ID, REPOS.EXTERNAL_ID, REPOS.NAME)
                    .fetchOne(Records.mapping(Repo::new));
        } catch (DataAccessException e) {
            throw SchemaViolation.translate(e);
        }
    }

    /**
     * Tracks a repository the host just described: the stored one with its id (else, a live one of its
     * name) gets {@code tracking} (and what the host said of it: archived, its name, not deleted), or a
     * new one is inserted with it. Its next repository sync, due at once, lists its pull requests and
     * imports them.
     *
     * @param externalId the host's id for the repository
     * @param name its path, as the host has it
     * @param archived its flag, as the host has it
     * @return the repository, and whether it was inserted
     * @throws SchemaViolation for values the schema rejects
     */
    public Tracked track(long codeHostId, String externalId, String name, boolean archived, Tracking tracking) {
        try {
            return dsl.transactionResult(configuration -> {
                DSLContext tx = DSL.using(configuration);
                Optional<Repo> stored = tx.select(REPOS.ID, REPOS.CODE_HOST_ID, REPOS.EXTERNAL_ID, REPOS.NAME)
                        .from(REPOS)
                        .where(REPOS.CODE_HOST_ID.eq(codeHostId))
                        .and(REPOS.EXTERNAL_ID.eq(externalId).or(DSL.lower(REPOS.NAME).eq(DSL.lower(DSL.val(name)))
                                .and(REPOS.DELETED_AT.isNull())))
                        .orderBy(DSL.when(REPOS.EXTERNAL_ID.eq(externalId), 0).otherwise(1), REPOS.ID)
                        .limit(1)
                        .forUpdate()
                        .fetchOptional(Records.mapping(Repo::new));
                if (stored.isPresent()) {
                    tx.update(REPOS).set(REPOS.TRACK_CHANGESETS, tracking.sqlName())
                            .where(REPOS.ID.eq(stored.get().id()))
                            .execute();
                    // what the look-up found goes through the one UPDATE of a repository (a flip fires once)
                    Routines.applyRepoChange(configuration, stored.get().id(), JSONB.valueOf(
                            "{\"archived\": %b, \"renamed_to\": %s, \"restored\": true}".formatted(archived, jsonText(name))),
                            null);
                    return new Tracked(stored.get(), false);
                }
                Repo inserted = tx.insertInto(REPOS)
                        .set(REPOS.CODE_HOST_ID, codeHostId)
                        .set(REPOS.EXTERNAL_ID, externalId)
                        .set(REPOS.NAME, name)
                        .set(REPOS.ARCHIVED, archived)
                        .set(REPOS.TRACK_CHANGESETS, tracking.sqlName())
                        .returningResult(REPOS.ID, REPOS.CODE_HOST_ID, REPOS.EXTERNAL_ID, REPOS.NAME)
                        .fetchOne(Records.mapping(Repo::new));
                return new Tracked(inserted, true);
            });
        } catch (DataAccessException e) {
            throw SchemaViolation.translate(e);
        }
    }

    /** A repository {@link #track} stored. */
    public record Tracked(Repo repo, boolean inserted) {}

    /**
     * Stops importing a repository's pull requests; with {@code deleteChangesets}, its changesets go too
     * (their queue rows, events and requests with them).
     *
     * @return the repository and how many changesets were deleted; empty if there is no such repository
     */
    public Optional<Untracked> untrack(long codeHostId, String name, boolean deleteChangesets) {
        return dsl.transactionResult(configuration -> {
            DSLContext tx = DSL.using(configuration);
            Optional<Repo> repo = tx.update(REPOS)
                    .set(REPOS.TRACK_CHANGESETS, Tracking.NONE.sqlName())
                    .where(REPOS.ID.eq(DSL.select(REPOS.ID).from(REPOS).where(byName(codeHostId, name))
                            .orderBy(DSL.when(REPOS.DELETED_AT.isNull(), 0).otherwise(1), REPOS.ID).limit(1)))
                    .returningResult(REPOS.ID, REPOS.CODE_HOST_ID, REPOS.EXTERNAL_ID, REPOS.NAME)
                    .fetchOptional(Records.mapping(Repo::new));
            if (repo.isEmpty()) {
                return Optional.empty();
            }
            int deleted = deleteChangesets
                    ? tx.deleteFrom(CHANGESETS).where(CHANGESETS.REPO_ID.eq(repo.get().id())).execute() : 0;
            return Optional.of(new Untracked(repo.get(), deleted));
        });
    }

    /** A repository {@link #untrack} stopped tracking. */
    public record Untracked(Repo repo, int changesetsDeleted) {}

    /** The repository of this host with this name (case-insensitive; a live one before a deleted one). */
    public Optional<Repo> findRepo(long codeHostId, String name) {
        return dsl.select(REPOS.ID, REPOS.CODE_HOST_ID, REPOS.EXTERNAL_ID, REPOS.NAME)
                .from(REPOS)
                .where(byName(codeHostId, name))
                .orderBy(DSL.when(REPOS.DELETED_AT.isNull(), 0).otherwise(1), REPOS.ID)
                .limit(1)
                .fetchOptional(Records.mapping(Repo::new));
    }

    /**
     * Sets how often each repository of a host is re-read; the database reschedules them at once.
     *
     * @return false if there is no such host
     * @throws SchemaViolation for a value the schema rejects (outside 1 second to 1 day)
     */
    public boolean updateRepoSyncInterval(long codeHostId, Duration interval) {
        try {
            return dsl.update(CODE_HOSTS).set(CODE_HOSTS.REPO_SYNC_INTERVAL, interval)
                    .where(CODE_HOSTS.ID.eq(codeHostId))
                    .execute() == 1;
        } catch (DataAccessException e) {
            throw SchemaViolation.translate(e);
        }
    }

    private static String jsonText(String value) {
        return JsonNodeFactory.instance.textNode(value).toString();
    }

    private static Condition byName(long codeHostId, String name) {
        return REPOS.CODE_HOST_ID.eq(codeHostId).and(DSL.lower(REPOS.NAME).eq(DSL.lower(DSL.val(name))));
    }

    /**
     * Inserts changesets of one repository in one statement; they are due for their first sync at once.
     *
     * @return their ids, in the order of {@code externalIds}
     */
    public List<Long> createChangesets(long repoId, List<String> externalIds) {
        if (externalIds.isEmpty()) {
            return List.of();
        }
        var insert = dsl.insertInto(CHANGESETS, CHANGESETS.REPO_ID, CHANGESETS.EXTERNAL_ID);
        for (String externalId : externalIds) {
            insert = insert.values(repoId, externalId);
        }
        try {
            return insert.returning(CHANGESETS.ID).fetch(CHANGESETS.ID);
        } catch (DataAccessException e) {
            throw SchemaViolation.translate(e);
        }
    }

    // The generated enum shares its simple name with ours: it is reached through the column's type.

    private static CodeHost toCodeHost(Long id, String name, EnumType kind, String baseUrl) {
        return new CodeHost(id, name, CodeHostKind.fromSqlName(kind.getLiteral()), baseUrl);
    }

    private static <E extends Enum<E> & EnumType> E toSql(CodeHostKind kind, Class<E> sqlType) {
        return EnumType.lookupLiteral(sqlType, kind.sqlName());
    }
}
