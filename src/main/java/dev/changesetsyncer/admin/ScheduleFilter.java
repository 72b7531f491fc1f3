package dev.changesetsyncer.admin;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the schedule page lists: filters on the {@code changeset_schedule} view and where the page
 * starts (a keyset cursor: the last row's next_sync_at and changeset id, so that a page deep in a
 * million rows costs what the first one does).
 *
 * @param host a code host's name, or null for every host
 * @param repo a repository's name (as on its host), or null
 * @param state a changeset state (open, draft, closed, merged, read_only), or null
 * @param after the previous page's last row, or null for the first page
 */
public record ScheduleFilter(String host, String repo, String state, boolean due, boolean failing, boolean gone,
        boolean requested, Cursor after) {
    public static final Set<String> STATES = Set.of("open", "draft", "closed", "merged", "read_only");
    public static final int PAGE_SIZE = 50;

    /**
     * Where a page starts: after a row due at {@code nextSyncAt} (null: a row never due, gone; those
     * come last, by id) with id {@code changesetId}.
     */
    public record Cursor(Instant nextSyncAt, long changesetId) {
        /** As it goes in a link: {@code 2026-12-07T03:00:00.123456Z,42} or {@code never,42}. */
        public String encode() {
            return (nextSyncAt == null ? "never" : nextSyncAt.toString()) + "," + changesetId;
        }

        static Cursor decode(String text) {
            int comma = text.lastIndexOf(',');
            if (comma < 0) {
                throw new IllegalArgumentException("a page cursor is TIME,ID or never,ID, not " + text);
            }
            try {
                String time = text.substring(0, comma);
                return new Cursor(time.equals("never") ? null : Instant.parse(time), Long.parseLong(text.substring(comma + 1)));
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new IllegalArgumentException("a page cursor is TIME,ID or never,ID, not " + text);
            }
        }
    }

    public ScheduleFilter {
        host = blankIsNull(host);
        repo = blankIsNull(repo);
        state = blankIsNull(state);
        if (state != null && !STATES.contains(state)) {
            throw new IllegalArgumentException("state is one of " + new java.util.TreeSet<>(STATES) + ", not " + state);
        }
    }

    /** From a query's parameters (absent ones: no filter). @throws IllegalArgumentException for a bad value */
    public static ScheduleFilter of(FormFields fields) {
        String after = blankIsNull(fields.first("after"));
        return new ScheduleFilter(fields.first("host"), fields.first("repo"), fields.first("state"), fields.flag("due"),
                fields.flag("failing"), fields.flag("gone"), fields.flag("requested"), after == null ? null : Cursor.decode(after));
    }

    public ScheduleFilter startingAfter(Cursor cursor) {
        return new ScheduleFilter(host, repo, state, due, failing, gone, requested, cursor);
    }

    /** The query string of this filter (without the cursor unless asked), for links. */
    public String query(boolean withCursor) {
        List<String> parts = new ArrayList<>();
        Optional.ofNullable(host).ifPresent(v -> parts.add("host=" + FormFields.encode(v)));
        Optional.ofNullable(repo).ifPresent(v -> parts.add("repo=" + FormFields.encode(v)));
        Optional.ofNullable(state).ifPresent(v -> parts.add("state=" + FormFields.encode(v)));
        if (due) {
            parts.add("due=on");
        }
        if (failing) {
            parts.add("failing=on");
        }
        if (gone) {
            parts.add("gone=on");
        }
        if (requested) {
            parts.add("requested=on");
        }
        if (withCursor && after != null) {
            parts.add("after=" + FormFields.encode(after.encode()));
        }
        return String.join("&", parts);
    }

    private static String blankIsNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
