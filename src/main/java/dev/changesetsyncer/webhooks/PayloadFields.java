package dev.changesetsyncer.webhooks;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading a payload's fields by dotted path, with errors that name the field and the event. */
final class PayloadFields {
    private final JsonNode root;
    private final String event;

    PayloadFields(JsonNode root, String event) {
        this.root = root;
        this.event = event;
    }

    JsonNode node(String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        return node;
    }

    /** A string or number field, as text; null when absent or null. */
    String textOrNull(String path) {
        JsonNode node = node(path);
        return node.isTextual() || node.isNumber() ? node.asText() : null;
    }

    String text(String path) throws MalformedDelivery {
        String value = textOrNull(path);
        if (value == null || value.isBlank()) {
            throw new MalformedDelivery(event + " payload has no " + path);
        }
        return value;
    }

    Boolean booleanOrNull(String path) {
        JsonNode node = node(path);
        return node.isBoolean() ? node.asBoolean() : null;
    }

    boolean has(String path) {
        JsonNode node = node(path);
        return !node.isMissingNode() && !node.isNull();
    }
}
