package dev.changesetsyncer.db;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small manipulations of {@code jdbc:postgresql://host:port/database?params} URLs. */
public final class JdbcUrls {
    private static final Pattern URL =
            Pattern.compile("^(jdbc:postgresql://[^/?]*)(?:/([^?]*))?(\\?.*)?$");
    /** {@code password=}, {@code sslpassword=}: any parameter whose name ends in "password". */
    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&]*");
    /** {@code //user:secret@host}: everything between the user's colon and the {@code @}. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/?#@:\\s]*:)[^/?#@\\s]*@");

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

    /** The URL with any password replaced (a parameter, or in {@code user:password@}), fit for logs and error messages. */
    public static String redact(String jdbcUrl) {
        return PASSWORD.matcher(redactUserInfo(jdbcUrl)).replaceAll("$1***");
    }

    /** Any text with the password of every {@code scheme://user:password@} in it replaced (a URL an error quotes). */
    public static String redactUserInfo(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1***@");
    }

    /** The password the URL carries, if any (to register it with the scrubber of secrets). */
    public static Optional<String> password(String jdbcUrl) {
        Matcher parameter = Pattern.compile("(?i)[?&]password=([^&]*)").matcher(jdbcUrl);
        if (parameter.find()) {
            return Optional.of(parameter.group(1));
        }
        Matcher userInfo = Pattern.compile("//[^/?#@:]*:([^/?#]*)@").matcher(jdbcUrl);
        return userInfo.find() ? Optional.of(userInfo.group(1)) : Optional.empty();
    }

    private static Matcher matcher(String jdbcUrl) {
        Matcher m = URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql:// URL: " + redact(jdbcUrl));
        }
        return m;
    }
}
