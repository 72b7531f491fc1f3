package dev.changesetsyncer.db;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small manipulations of {@code jdbc:postgresql://host:port/database?params} URLs. */
public final class JdbcUrls {
    private static final Pattern URL =
            Pattern.compile("^(jdbc:postgresql://[^/?]*)(?:/([^?]*))?(\\?.*)?$");
    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&]*");

    private JdbcUrls() {}

    /** The same server and parameters, another database. */
    public static String withDatabase(String jdbcUrl, String database) {
        Matcher m = matcher(jdbcUrl);
        return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
    }

    /** The database the URL names; one is required. */
    public static String database(String jdbcUrl) {
        Matcher m = matcher(jdbcUrl);
        if (m.group(2) == null || m.group(2).isEmpty()) {
            throw new IllegalArgumentException("database URL names no database: " + redact(jdbcUrl));
        }
        return m.group(2);
    }

    /** The URL with any password replaced, fit for logs and error messages. */
    public static String redact(String jdbcUrl) {
        return PASSWORD.matcher(jdbcUrl).replaceAll("$1***");
    }

    private static Matcher matcher(String jdbcUrl) {
        Matcher m = URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql:// URL: " + redact(jdbcUrl));
        }
        return m;
    }
}
