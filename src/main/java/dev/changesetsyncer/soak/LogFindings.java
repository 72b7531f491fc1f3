package dev.changesetsyncer.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the replicas' logs say, counted: WARN and ERROR lines by logger, stack traces, fenced
 * write-backs (a sync outlived its claim and the database refused its result), syncs cancelled
 * because their lease could not be kept, and HikariCP's warnings.
 *
 * @param fenced write-backs discarded because the claim had been lost
 * @param cancelled syncs the lease keeper gave up on, and syncs that abandoned themselves before a
 *     request because their lease deadline had passed
 * @param stackTraces stack traces printed (each counted once)
 * @param hikariWarnings WARN or ERROR lines of HikariCP
 * @param byLevelAndLogger e.g. {@code "WARN c.z.h.pool.PoolBase" -> 12}
 */
record LogFindings(long fenced, long cancelled, long stackTraces, long hikariWarnings, Map<String, Long> byLevelAndLogger) {
    /** {@code HH:mm:ss.SSS LEVEL logger worker - message}, the replicas' log pattern. */
    private static final Pattern LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (WARN|ERROR)\\s+(\\S+)");

    static LogFindings read(List<Path> logs) {
        long fenced = 0;
        long cancelled = 0;
        long traces = 0;
        long hikari = 0;
        Map<String, Long> counts = new TreeMap<>();
        for (Path log : logs) {
            List<String> lines;
            try {
                lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + log, e);
            }
            boolean inTrace = false;
            for (String line : lines) {
                if (line.contains("discarded the write-back of changeset=")) {
                    fenced++;
                }
                if (line.contains("cancelling the sync of changeset=")
                        || line.contains("abandoning the sync of changeset=")) {
                    cancelled++;
                }
                boolean traceLine = line.startsWith("\tat ");
                if (traceLine && !inTrace) {
                    traces++;
                }
                inTrace = traceLine || (inTrace && (line.startsWith("Caused by:") || line.startsWith("\t... ")));
                Matcher m = LINE.matcher(line);
                if (m.find()) {
                    counts.merge(m.group(1) + " " + m.group(2), 1L, Long::sum);
                    if (m.group(2).startsWith("c.z.h") || m.group(2).startsWith("com.zaxxer")) {
                        hikari++;
                    }
                }
            }
        }
        return new LogFindings(fenced, cancelled, traces, hikari, counts);
    }
}
