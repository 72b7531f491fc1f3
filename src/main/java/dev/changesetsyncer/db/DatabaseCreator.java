package dev.changesetsyncer.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the database a URL names, through the server's {@code postgres} maintenance database. */
public final class DatabaseCreator {
    private static final Logger log = LoggerFactory.getLogger(DatabaseCreator.class);

    private DatabaseCreator() {}

    /** @return true if it had to be created */
    public static boolean createIfMissing(String jdbcUrl) {
        String name = JdbcUrls.database(jdbcUrl);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("will not create a database named " + name
                    + ": use letters, digits and underscores, or create it yourself");
        }
        try (Connection connection = DriverManager.getConnection(JdbcUrls.withDatabase(jdbcUrl, "postgres"))) {
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, name);
                try (ResultSet row = exists.executeQuery()) {
                    if (row.next()) {
                        return false;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                if ("42P04".equals(e.getSQLState())) { // created meanwhile by another process
                    return false;
                }
                throw e;
            }
            log.info("created database {}", name);
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " via "
                    + JdbcUrls.redact(JdbcUrls.withDatabase(jdbcUrl, "postgres")) + ": " + e.getMessage(), e);
        }
    }
}
