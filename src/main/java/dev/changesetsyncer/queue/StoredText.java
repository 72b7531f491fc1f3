package dev.changesetsyncer.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.changesetsyncer.secrets.SafeText;
import java.util.ArrayList;
import java.util.List;

/**
 * The most a host's text may take in the database, whatever it sent (a 10 MB title, a 5 MB review
 * body): longer values are cut, ending in {@value #CUT}. Every host keeps its real values far below
 * these (GitHub titles are at most 256 characters). Messages (last_error) are also made safe to
 * print: secrets masked, control characters escaped ({@link SafeText}).
 */
final class StoredText {
    static final String CUT = "…";
    static final int TITLE = 1_000;
    static final int AUTHOR = 255;
    static final int URL = 2_000;
    static final int REF = 1_000;
    static final int SHA = 100;
    static final int CHANGE_MARKER = 1_000;
    static final int EVENT_KIND = 100;
    static final int DEDUPE_KEY = 200;
    /** Each string inside an event's payload (a review's body, a check's summary). */
    static final int PAYLOAD_STRING = 4_000;
    /** Items of each array inside an event's payload. */
    static final int PAYLOAD_ARRAY = 100;
    /** What the schema keeps of a message (complete_syncs and end_claims take left(message, 2000)). */
    static final int MESSAGE = 2_000;

    private StoredText() {}

    /** At most {@code limit} characters (null stays null), never splitting a surrogate pair. */
    static String cut(String text, int limit) {
        if (text == null || text.length() <= limit) {
            return text;
        }
        int end = limit - CUT.length();
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + CUT;
    }

    /** A message to store: secrets masked, control characters escaped, at most {@link #MESSAGE} characters. */
    static String message(String text) {
        return cut(SafeText.of(text), MESSAGE);
    }

    /** An event payload with every string and array cut to size (keys included); modified in place. */
    static JsonNode payload(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            return text.length() <= PAYLOAD_STRING ? node : JsonNodeFactory.instance.textNode(cut(text, PAYLOAD_STRING));
        }
        if (node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            while (array.size() > PAYLOAD_ARRAY) {
                array.remove(array.size() - 1);
            }
            for (int i = 0; i < array.size(); i++) {
                array.set(i, payload(array.get(i)));
            }
        } else if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            List<String> keys = new ArrayList<>();
            object.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                JsonNode value = payload(object.get(key));
                if (key.length() > DEDUPE_KEY) {
                    object.remove(key);
                    object.set(cut(key, DEDUPE_KEY), value);
                } else {
                    object.set(key, value);
                }
            }
        }
        return node;
    }
}
