package dev.changesetsyncer.catalog;

import dev.changesetsyncer.jooq.Routines;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * An operator's pause of a code host, for every replica ({@code pause_code_host()},
 * {@code resume_code_host()}). The pause's end is computed by the database from its own clock.
 */
public final class HostPauses {
    /** SQLSTATEs the two functions raise for a bad argument: no such host, an end not in range. */
    private static final String NO_DATA_FOUND = "P0002";
    private static final String INVALID_PARAMETER_VALUE = "22023";

    private final DSLContext dsl;

    public HostPauses(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * Pauses the host from now for {@code duration} (replacing any pause).
     *
     * @param reason shown with the pause; may be null
     * @return when the pause ends
     * @throws IllegalArgumentException for an unknown host or a duration out of range, with the database's words
     */
    public Instant pause(String codeHost, Duration duration, String reason) {
        try {
            Field<Instant> until = DSL.field("now() + make_interval(secs => {0})", Instant.class,
                    DSL.val(duration.toMillis() / 1000.0));
            return dsl.select(Routines.pauseCodeHost(DSL.val(codeHost), until, DSL.val(reason))).fetchSingle().value1();
        } catch (DataAccessException e) {
            throw refused(e);
        }
    }

    /**
     * Ends the host's pause, whoever set it.
     *
     * @return when the pause would have ended; empty if the host was not paused
     * @throws IllegalArgumentException for an unknown host
     */
    public Optional<Instant> resume(String codeHost) {
        try {
            return Optional.ofNullable(dsl.select(Routines.resumeCodeHost(codeHost)).fetchSingle().value1());
        } catch (DataAccessException e) {
            throw refused(e);
        }
    }

    private static RuntimeException refused(DataAccessException e) {
        SQLException sql = e.getCause(SQLException.class);
        if (sql instanceof PSQLException psql && psql.getServerErrorMessage() != null
                && (NO_DATA_FOUND.equals(sql.getSQLState()) || INVALID_PARAMETER_VALUE.equals(sql.getSQLState()))) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            return new IllegalArgumentException(server.getMessage() + (server.getHint() == null ? "" : ". " + server.getHint()), e);
        }
        return e;
    }
}
