package dev.changesetsyncer.freshness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of the simulation's SQL files (next to this class), with {@code ${name}} placeholders filled in. The
 * values are SQL the simulation renders itself (literals it formats, rule calls it binds), never user text.
 */
final class SqlTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z0-9_]+)}");

    private SqlTemplate() {}

    static String render(String file, Map<String, String> values) {
        String text = load(file);
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder sql = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalStateException(file + " needs a value for ${" + matcher.group(1) + "}");
            }
            matcher.appendReplacement(sql, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(sql);
        return sql.toString();
    }

    static String load(String file) {
        try (InputStream in = SqlTemplate.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + file + " next to " + SqlTemplate.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }
}
