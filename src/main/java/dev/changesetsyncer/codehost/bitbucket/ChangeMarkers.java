package dev.changesetsyncer.codehost.bitbucket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Short, stable digests of what we read, stored in {@code SyncTarget.changeMarkers} as our own change
 * markers because Bitbucket seldom answers conditional requests.
 */
final class ChangeMarkers {
    private ChangeMarkers() {}

    /** The first 64 bits of the SHA-256 of the parts, joined by a separator that JSON text cannot hold unescaped. */
    static String digest(Object... parts) {
        StringBuilder text = new StringBuilder();
        for (Object part : parts) {
            text.append(part).append('\u0000');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
