package dev.changesetsyncer.webhooks;

import java.nio.charset.StandardCharsets;

/** One webhook secret. Its {@code toString} never shows it, so it cannot leak into logs or messages. */
final class Secret {
    private final byte[] bytes;

    Secret(String value) {
        this.bytes = value.getBytes(StandardCharsets.UTF_8);
    }

    /** The secret itself: only for computing and comparing signatures. */
    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "Secret[***]";
    }
}
