package dev.changesetsyncer.simhost;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request the simulated host served, one JSON line each ({@code --fetch-log}): which
 * changeset, which sync (claim) of which replica, start and end in milliseconds since the host
 * started, and the status — for looking at an overlap or a slow sync after the fact.
 */
final class FetchJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FetchJournal.class);
    private static final ObjectMapper json = new ObjectMapper();

    /** One request. */
    record Entry(String endpoint, String changeset, String claim, String replica, long startMs, long endMs, int status) {}

    private final BufferedWriter out;
    private boolean failed;

    FetchJournal(Path file) {
        try {
            this.out = Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write the fetch log " + file.toAbsolutePath() + ": " + e, e);
        }
    }

    synchronized void write(Entry entry) {
        if (failed) {
            return;
        }
        try {
            out.write(json.writeValueAsString(entry));
            out.newLine();
        } catch (IOException e) {
            failed = true;
            log.error("the fetch log cannot be written any more; the report goes on without it", e);
        }
    }

    synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            log.warn("could not flush the fetch log: {}", e.toString());
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            log.warn("could not close the fetch log: {}", e.toString());
        }
    }
}
