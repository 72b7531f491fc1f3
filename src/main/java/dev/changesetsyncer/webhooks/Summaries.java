package dev.changesetsyncer.webhooks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The small payload stored with a webhook event: what it was, who did it, and its one telling detail. */
final class Summaries {
    private Summaries() {}

    static ObjectNode of(String event, String actor, String detail) {
        ObjectNode summary = JsonNodeFactory.instance.objectNode().put("event", event);
        if (actor != null) {
            summary.put("actor", actor);
        }
        if (detail != null) {
            summary.put("detail", detail);
        }
        return summary;
    }
}
