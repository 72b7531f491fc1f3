package dev.changesetsyncer.codehost.bitbucket;

import dev.changesetsyncer.codehost.http.JsonFields;
import dev.changesetsyncer.codehost.http.UnreadableResponseException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Bitbucket's dates: epoch milliseconds on older servers, ISO-8601 strings on recent Data Center,
 * which {@link JsonFields} reads; Data Center also writes offsets without a colon
 * ({@code 2018-07-05T19:33:14+0000}, see the fixture {@code pr.merged.iso-dates.go-scm.json}),
 * which ISO-8601's extended format (and so JsonFields) rejects.
 */
final class BitbucketDates {
    private static final DateTimeFormatter COMPACT_OFFSET = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .appendOffset("+HHMM", "Z")
            .toFormatter(Locale.ROOT);

    private BitbucketDates() {}

    /** The date in {@code field} of {@code object}, or null when there is none. */
    static Instant instantOrNull(JsonFields object, String field) {
        try {
            return object.instantOrNull(field);
        } catch (UnreadableResponseException notIso) {
            try {
                return OffsetDateTime.parse(object.node().path(field).asText(), COMPACT_OFFSET).toInstant();
            } catch (DateTimeParseException e) {
                throw notIso;
            }
        }
    }

    static Instant instant(JsonFields object, String field) {
        Instant value = instantOrNull(object, field);
        if (value == null) {
            return object.instant(field); // throws, naming the field and the response
        }
        return value;
    }
}
