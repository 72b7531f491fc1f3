package dev.changesetsyncer.admin;

import dev.changesetsyncer.secrets.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;

/**
 * Who may open the admin page: {@code SYNCER_ADMIN_TOKEN} (a Bearer header, or the log-in form), and/or
 * {@code SYNCER_ADMIN_USER} with {@code SYNCER_ADMIN_PASSWORD} (the log-in form). There is no default:
 * without either the page is off (403, saying how to turn it on). Every comparison takes the same time
 * whatever the guess (digests compared with {@link MessageDigest#isEqual}).
 */
public final class AdminCredentials {
    public static final String TOKEN_VARIABLE = "SYNCER_ADMIN_TOKEN";
    public static final String USER_VARIABLE = "SYNCER_ADMIN_USER";
    public static final String PASSWORD_VARIABLE = "SYNCER_ADMIN_PASSWORD";
    /** Shorter secrets are refused at start: they would be guessed. */
    static final int SHORTEST_SECRET = 12;

    private final Optional<byte[]> tokenDigest;
    private final Optional<String> user;
    private final Optional<byte[]> passwordDigest;
    private final byte[] signingKey;

    private AdminCredentials(String token, String user, String password) {
        this.tokenDigest = Optional.ofNullable(token).map(AdminCredentials::sha256);
        this.user = Optional.ofNullable(user);
        this.passwordDigest = Optional.ofNullable(password).map(AdminCredentials::sha256);
        // sessions are signed with a key derived from the secrets: changing them ends every session
        this.signingKey = sha256("changeset-syncer admin session\0" + (token == null ? "" : token) + "\0"
                + (user == null ? "" : user) + "\0" + (password == null ? "" : password));
    }

    /** No credentials: the admin page answers 403. */
    public static AdminCredentials none() {
        return new AdminCredentials(null, null, null);
    }

    /**
     * The credentials the environment holds (blank values count as unset), registered as secrets.
     *
     * @throws IllegalArgumentException for a user without a password (or the reverse), or a secret under 12 characters
     */
    public static AdminCredentials fromEnvironment(Map<String, String> environment) {
        return of(blankIsNull(environment.get(TOKEN_VARIABLE)), blankIsNull(environment.get(USER_VARIABLE)),
                blankIsNull(environment.get(PASSWORD_VARIABLE)));
    }

    /** As {@link #fromEnvironment}, from values; each may be null. */
    public static AdminCredentials of(String token, String user, String password) {
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException(user == null
                    ? PASSWORD_VARIABLE + " is set but " + USER_VARIABLE + " is not: set both (or neither)"
                    : USER_VARIABLE + " is set but " + PASSWORD_VARIABLE + " is not: set both (or neither); there is no default password");
        }
        requireLongEnough(TOKEN_VARIABLE, token);
        requireLongEnough(PASSWORD_VARIABLE, password);
        if (user != null && (user.length() > 100 || user.chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException(USER_VARIABLE + " must be at most 100 characters, without control characters");
        }
        Secrets.register(token);
        Secrets.register(password);
        return new AdminCredentials(token, user, password);
    }

    /** Whether anyone may log in at all. */
    public boolean enabled() {
        return tokenDigest.isPresent() || user.isPresent();
    }

    public boolean acceptsToken() {
        return tokenDigest.isPresent();
    }

    public boolean acceptsPassword() {
        return user.isPresent();
    }

    /** Whether {@code candidate} is the admin token (in constant time). */
    public boolean tokenMatches(String candidate) {
        return candidate != null && tokenDigest.map(d -> MessageDigest.isEqual(d, sha256(candidate))).orElse(false);
    }

    /** Whether the pair is the admin user's (both compared, in constant time). */
    public boolean passwordMatches(String userName, String password) {
        if (user.isEmpty() || userName == null || password == null) {
            return false;
        }
        boolean userOk = MessageDigest.isEqual(sha256(user.get()), sha256(userName));
        boolean passwordOk = MessageDigest.isEqual(passwordDigest.orElseThrow(), sha256(password));
        return userOk & passwordOk;
    }

    /** The key sessions and CSRF tokens are signed with. */
    byte[] signingKey() {
        return signingKey.clone();
    }

    @Override
    public String toString() {
        return "AdminCredentials[token " + (acceptsToken() ? "set" : "unset") + ", user " + user.orElse("unset") + "]";
    }

    private static void requireLongEnough(String variable, String secret) {
        if (secret != null && secret.length() < SHORTEST_SECRET) {
            throw new IllegalArgumentException(variable + " must be at least " + SHORTEST_SECRET
                    + " characters (e.g. openssl rand -hex 16)");
        }
    }

    private static String blankIsNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
