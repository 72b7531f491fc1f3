package dev.changesetsyncer.webhooks;

import java.util.HexFormat;
import org.eclipse.jetty.http.HttpFields;

/** A delivery's id: the first of the host's id headers present, else a digest of the body. */
final class DeliveryKeys {
    static final int MAX_LENGTH = 200;

    private DeliveryKeys() {}

    static String from(HttpFields headers, byte[] body, String... headerNames) throws MalformedDelivery {
        for (String name : headerNames) {
            String value = headers.get(name);
            if (value == null || value.isBlank()) {
                continue;
            }
            String key = value.strip();
            if (key.length() > MAX_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new MalformedDelivery(name + " is not a delivery id (at most " + MAX_LENGTH
                        + " printable characters without spaces)");
            }
            return key;
        }
        // Hosts that send no id (older GitLab, Bitbucket Server): an identical body is the same delivery.
        return "sha256:" + HexFormat.of().formatHex(Signatures.sha256(body));
    }
}
