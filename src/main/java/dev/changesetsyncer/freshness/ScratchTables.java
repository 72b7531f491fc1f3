package dev.changesetsyncer.freshness;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/** Creates the simulation's scratch tables (schema {@code freshness}) and loads a generated population into them. */
final class ScratchTables {
    private ScratchTables() {}

    static void create(Connection connection) throws SQLException {
        execute(connection, SqlTemplate.load("scratch-tables.sql"));
    }

    /**
     * Generates the population from the seed and streams it in with COPY, then indexes and analyses it. A
     * connection runs one COPY at a time, so the generator runs twice (the seed makes both runs the same):
     * once for the changesets, once for their changes.
     */
    static void load(Connection connection, PopulationGenerator generator, long changesets, long seed, RunWindow window)
            throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        try (Writer rows = copy(pg, "COPY freshness.changesets (id, class, has_ci, phase, updated_at) FROM STDIN")) {
            generator.generate(changesets, seed, new PopulationGenerator.Sink() {
                @Override
                public void changeset(long id, ChangesetClass type, boolean hasCi, double phase, double updatedAt) {
                    row(rows, id + "\t" + type.label() + "\t" + hasCi + "\t" + number(phase) + "\t" + window.at(updatedAt));
                }

                @Override
                public void change(long changesetId, double at, ChangeKind kind, double webhookDraw,
                        double checksPendingUntil) {}
            });
        } catch (IOException e) {
            throw new UncheckedIOException("loading the changesets failed: " + e.getMessage(), e);
        }
        try (Writer rows = copy(pg, "COPY freshness.changes (changeset_id, at, kind, moves_updated_at, found_as_event, "
                + "webhook_draw, checks_pending_until) FROM STDIN")) {
            generator.generate(changesets, seed, new PopulationGenerator.Sink() {
                @Override
                public void changeset(long id, ChangesetClass type, boolean hasCi, double phase, double updatedAt) {}

                @Override
                public void change(long changesetId, double at, ChangeKind kind, double webhookDraw,
                        double checksPendingUntil) {
                    row(rows, changesetId + "\t" + window.at(at) + "\t" + kind.label + "\t" + kind.movesUpdatedAt + "\t"
                            + kind.foundAsEvent + "\t" + number(webhookDraw) + "\t"
                            + (Double.isNaN(checksPendingUntil) ? "\\N" : window.at(checksPendingUntil).toString()));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("loading the changes failed: " + e.getMessage(), e);
        }
        execute(connection, SqlTemplate.load("scratch-indexes.sql"));
    }

    private static Writer copy(PGConnection pg, String sql) throws SQLException {
        return new BufferedWriter(new OutputStreamWriter(new PGCopyOutputStream(pg, sql), StandardCharsets.UTF_8), 1 << 16);
    }

    private static void row(Writer writer, String line) {
        try {
            writer.write(line);
            writer.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String number(double value) {
        return Double.toString(value);
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
