package dev.changesetsyncer.testing;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** A test class's own migrated database, with a small pool and a jOOQ context on it. */
public final class TestDatabase implements AutoCloseable {
    private final String name;
    private final HikariDataSource dataSource;
    private final DSLContext dsl;

    TestDatabase(String name) {
        this.name = name;
        this.dataSource = DataSources.open(new DatabaseConfig(url(), "test-" + name, 8));
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
    }

    public String name() {
        return name;
    }

    public String url() {
        return TestDatabases.urlOf(name);
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** Runs plain SQL on a fresh connection (autocommit). */
    public void execute(String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Deletes every code host and all that hangs off them, for tests whose workers would see each other's rows. */
    public void truncateAll() {
        execute("TRUNCATE code_hosts, repos, changesets, changeset_sync_state, sync_requests, changeset_events, "
                + "sync_attempt_tallies CASCADE");
    }

    /** The single value of a plain SQL query, converted to {@code type}. */
    public <T> T value(Class<T> type, String sql) {
        return dsl.fetchSingle(sql).get(0, type);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
