package dev.changesetsyncer.codehost.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reading required and optional fields of a host's JSON, with errors that say which field of which response. */
public final class JsonFields {
    /**
     * ISO-8601, and the same with an offset without a colon ({@code 2018-07-05T19:33:14+0000}), which
     * Bitbucket Data Center writes.
     */
    private static final List<DateTimeFormatter> TIMESTAMP_FORMATS = List.of(
            DateTimeFormatter.ISO_OFFSET_DATE_TIME,
            new DateTimeFormatterBuilder().append(DateTimeFormatter.ISO_LOCAL_DATE_TIME).appendOffset("+HHMM", "Z")
                    .toFormatter(Locale.ROOT));
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("3000-01-01T00:00:00Z");
    private final JsonNode node;
    private final String where;

    public JsonFields(JsonNode node, String where) {
        this.node = node;
        this.where = where;
    }

    public static JsonFields of(HostResponse response) {
        return new JsonFields(response.json(), response.describe());
    }

    public JsonNode node() {
        return node;
    }

    public JsonFields object(String path) {
        JsonNode child = at(path);
        if (!child.isObject()) {
            throw missing(path, "an object");
        }
        return new JsonFields(child, where);
    }

    public String text(String path) {
        JsonNode child = at(path);
        if (!child.isTextual()) {
            throw missing(path, "a string");
        }
        return child.asText();
    }

    public String textOrNull(String path) {
        JsonNode child = at(path);
        return child.isTextual() ? child.asText() : null;
    }

    public boolean bool(String path, boolean absent) {
        JsonNode child = at(path);
        if (child.isMissingNode() || child.isNull()) {
            return absent;
        }
        if (!child.isBoolean()) {
            throw missing(path, "true or false");
        }
        return child.asBoolean();
    }

    public long number(String path) {
        JsonNode child = at(path);
        if (!child.isIntegralNumber()) {
            throw missing(path, "a whole number");
        }
        return child.asLong();
    }

    /** An ISO-8601 timestamp (or, where hosts use them, epoch milliseconds). */
    public Instant instant(String path) {
        Instant value = instantOrNull(path);
        if (value == null) {
            throw missing(path, "a timestamp");
        }
        return value;
    }

    public Instant instantOrNull(String path) {
        JsonNode child = at(path);
        if (child.isIntegralNumber()) {
            return plausible(path, child.asText(), Instant.ofEpochMilli(child.asLong()));
        }
        if (!child.isTextual()) {
            return null;
        }
        for (DateTimeFormatter format : TIMESTAMP_FORMATS) {
            try {
                return plausible(path, child.asText(), OffsetDateTime.parse(child.asText(), format).toInstant());
            } catch (DateTimeParseException e) {
                // try the next form
            }
        }
        throw new UnreadableResponseException(where + ": field " + path + " is not a timestamp: \"" + child.asText() + "\"");
    }

    /** A time no code host can mean (and Postgres may not store): an unreadable response, not a value to keep. */
    private Instant plausible(String path, String raw, Instant value) {
        if (value.isBefore(EARLIEST) || value.isAfter(LATEST)) {
            throw new UnreadableResponseException(where + ": field " + path + " is not a plausible time: " + raw);
        }
        return value;
    }

    public Iterable<JsonFields> array(String path) {
        JsonNode child = path.isEmpty() ? node : at(path);
        if (!child.isArray()) {
            throw missing(path.isEmpty() ? "(the document)" : path, "an array");
        }
        List<JsonFields> items = new ArrayList<>();
        child.forEach(item -> items.add(new JsonFields(item, where)));
        return items;
    }

    private JsonNode at(String path) {
        return node.at("/" + path.replace('.', '/'));
    }

    private UnreadableResponseException missing(String path, String expected) {
        return new UnreadableResponseException(where + ": field " + path + " is missing or not " + expected);
    }
}
