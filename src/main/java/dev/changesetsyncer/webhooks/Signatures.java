package dev.changesetsyncer.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checking that a delivery comes from the host: every comparison takes the same time whatever the
 * bytes ({@link MessageDigest#isEqual}), so an attacker learns nothing from how fast a guess fails.
 */
final class Signatures {
    static final String SHA256_PREFIX = "sha256=";

    private Signatures() {}

    /**
     * GitHub's {@code X-Hub-Signature-256} and Bitbucket Server's {@code X-Hub-Signature}:
     * {@code sha256=} and the lowercase hex HMAC-SHA256 of the raw body, keyed with the secret.
     */
    static boolean hubSignatureMatches(String header, byte[] body, List<Secret> secrets) {
        if (header == null || !header.regionMatches(true, 0, SHA256_PREFIX, 0, SHA256_PREFIX.length())) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(SHA256_PREFIX.length()).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        boolean matches = false;
        for (Secret secret : secrets) { // every secret is tried: which one matched does not show in the timing
            matches |= MessageDigest.isEqual(hmacSha256(secret.bytes(), body), given);
        }
        return matches;
    }

    /** GitLab's {@code X-Gitlab-Token}: the secret itself; compared as digests, so even its length does not show. */
    static boolean tokenMatches(String header, List<Secret> secrets) {
        if (header == null) {
            return false;
        }
        byte[] given = sha256(header.getBytes(StandardCharsets.UTF_8));
        boolean matches = false;
        for (Secret secret : secrets) {
            matches |= MessageDigest.isEqual(sha256(secret.bytes()), given);
        }
        return matches;
    }

    /** The {@code sha256=<hex>} header value for a body (used to sign deliveries we send ourselves). */
    static String hubSignature(byte[] secret, byte[] body) {
        return SHA256_PREFIX + HexFormat.of().formatHex(hmacSha256(secret, body));
    }

    static byte[] hmacSha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
