package dev.changesetsyncer.admin;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Log-in sessions as signed cookies: {@code base64(who) . expiry . HMAC}, so that every replica with
 * the same credentials accepts them (nothing is stored) and a change of credentials ends them all. The
 * CSRF token of a session is another HMAC of the cookie: a form of ours carries it, another site's
 * cannot know it. The expiry is the replica's clock: it only bounds a log-in, it orders no data.
 */
final class AdminSessions {
    static final String COOKIE = "syncer_admin";
    static final Duration LIFETIME = Duration.ofHours(8);

    /** A logged-in operator; {@code cookie} is the value their browser sends back. */
    record Session(String who, String cookie) {}

    private final byte[] key;
    private final Clock clock;

    AdminSessions(AdminCredentials credentials, Clock clock) {
        this.key = credentials.signingKey();
        this.clock = clock;
    }

    /** A new session for {@code who}. */
    Session open(String who) {
        long expiry = clock.instant().plus(LIFETIME).getEpochSecond();
        String body = Base64.getUrlEncoder().withoutPadding().encodeToString(who.getBytes(StandardCharsets.UTF_8)) + "." + expiry;
        return new Session(who, body + "." + sign("session:" + body));
    }

    /** The session a cookie value stands for, if it is ours, intact and not expired. */
    Optional<Session> read(String cookie) {
        if (cookie == null || cookie.length() > 1000) {
            return Optional.empty();
        }
        String[] parts = cookie.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        String body = parts[0] + "." + parts[1];
        if (!constantTimeEquals(sign("session:" + body), parts[2])) {
            return Optional.empty();
        }
        try {
            if (Long.parseLong(parts[1]) < clock.instant().getEpochSecond()) {
                return Optional.empty();
            }
            return Optional.of(new Session(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8), cookie));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The token a session's forms carry. */
    String csrfToken(Session session) {
        return sign("csrf:" + session.cookie());
    }

    boolean csrfMatches(Session session, String candidate) {
        return candidate != null && constantTimeEquals(csrfToken(session), candidate);
    }

    private String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(AdminCredentials.sha256(a), AdminCredentials.sha256(b));
    }
}
