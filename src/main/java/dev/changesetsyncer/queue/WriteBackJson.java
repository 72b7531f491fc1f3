package dev.changesetsyncer.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.PullListing;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.TimelineEvent;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON documents the write-backs take ({@code complete_syncs}, {@code fail_syncs}, {@code record_repo_syncs},
 * ...): one array per batch, one bind parameter.
 */
final class WriteBackJson {
    private static final ObjectMapper json = new ObjectMapper();

    private WriteBackJson() {}

    static String completions(List<Completion> completions) {
        ArrayNode array = json.createArrayNode();
        for (Completion completion : completions) {
            ObjectNode item = ref(array.addObject(), completion.ref());
            switch (completion.result()) {
                case SyncResult.Fetched fetched -> fetched(item, fetched);
                case SyncResult.Unchanged unchanged -> item.put("outcome", "unchanged");
                case SyncResult.Gone gone -> item.put("outcome", "gone").put("message", StoredText.message(gone.message()));
            }
        }
        return write(array);
    }

    /** The archived flags the fetched results report, or null if none does. */
    static String archivedFlags(List<Completion> completions) {
        ArrayNode array = json.createArrayNode();
        for (Completion completion : completions) {
            completion.repoArchived().ifPresent(archived -> ref(array.addObject(), completion.ref()).put("archived", archived));
        }
        return array.isEmpty() ? null : write(array);
    }

    static String failures(List<FailedAttempt> failures) {
        ArrayNode array = json.createArrayNode();
        for (FailedAttempt failure : failures) {
            ref(array.addObject(), failure.ref()).put("message", StoredText.message(failure.message()));
        }
        return write(array);
    }

    static String deferrals(List<Deferral> deferrals) {
        ArrayNode array = json.createArrayNode();
        for (Deferral deferral : deferrals) {
            ObjectNode item = ref(array.addObject(), deferral.ref())
                    .put("code_host_id", deferral.codeHostId())
                    .put("message", StoredText.message(deferral.message()));
            if (deferral.retryAfter() != null) {
                item.put("retry_after_seconds", deferral.retryAfter().getSeconds() + deferral.retryAfter().getNano() / 1e9);
            }
            if (deferral.rateLimit() != null) {
                item.put("remaining", deferral.rateLimit().remaining()).put("reset_at", instant(deferral.rateLimit().resetAt()));
            }
        }
        return write(array);
    }

    /** @param observations in the order they were seen; the database keeps the last per host */
    static String observations(List<RateLimitObservation> observations) {
        ArrayNode array = json.createArrayNode();
        int seen = 0;
        for (RateLimitObservation observation : observations) {
            array.addObject()
                    .put("code_host_id", observation.codeHostId())
                    .put("limit_value", observation.status().limit())
                    .put("remaining", observation.status().remaining())
                    .put("reset_at", instant(observation.status().resetAt()))
                    .put("seen", seen++);
        }
        return write(array);
    }

    static String repoSyncs(List<RepoWriteBack> results) {
        ArrayNode array = json.createArrayNode();
        for (RepoWriteBack result : results) {
            ObjectNode item = array.addObject()
                    .put("repo_id", result.ref().repoId())
                    .put("claim_token", result.ref().claimToken())
                    .put("outcome", result.outcome());
            switch (result.result()) {
                case RepoSyncResult.Found found -> found(item, result, found);
                case RepoSyncResult.NotFound notFound -> item.put("message", notFound.message());
                case RepoSyncResult.Failed failed -> {
                    item.put("message", RepoWriteBack.failureMessage(failed)).put("code_host_id", result.target().codeHostId());
                    if (failed.retryAfter() != null) {
                        item.put("retry_after_seconds", failed.retryAfter().toMillis() / 1000.0);
                    }
                    if (failed.rateLimit() != null) {
                        item.put("remaining", failed.rateLimit().remaining()).put("reset_at", instant(failed.rateLimit().resetAt()));
                    }
                }
            }
        }
        return write(array);
    }

    private static void found(ObjectNode item, RepoWriteBack result, RepoSyncResult.Found found) {
        item.put("seen_name", result.target().name());
        if (found.repository() != null) {
            item.put("archived", found.repository().archived()).put("name", found.repository().name());
        }
        ObjectNode markers = item.putObject("change_markers");
        found.changeMarkers().forEach(markers::put);
        PullListing listing = found.listing();
        if (listing != null) {
            item.put("listing_state", listing.state().sqlName()).put("listed_until", instant(listing.listedUntil()));
            ArrayNode pulls = item.putArray("pulls");
            listing.numbers().forEach(pulls::add);
        }
    }

    static String refunds(List<Refund> refunds) {
        ArrayNode array = json.createArrayNode();
        for (Refund refund : refunds) {
            array.addObject().put("code_host_id", refund.codeHostId()).put("requests", refund.requests());
        }
        return write(array);
    }

    private static void fetched(ObjectNode item, SyncResult.Fetched fetched) {
        ChangesetSnapshot s = fetched.snapshot();
        item.put("outcome", "changed")
                .put("state", s.state() == null ? null : s.state().sqlName())
                .put("title", StoredText.cut(s.title(), StoredText.TITLE))
                .put("author", StoredText.cut(s.author(), StoredText.AUTHOR))
                .put("url", StoredText.cut(s.url(), StoredText.URL))
                .put("head_ref", StoredText.cut(s.headRef(), StoredText.REF))
                .put("base_ref", StoredText.cut(s.baseRef(), StoredText.REF))
                .put("head_sha", StoredText.cut(s.headSha(), StoredText.SHA))
                .put("review_state", s.reviewState() == null ? null : s.reviewState().sqlName())
                .put("check_state", s.checkState() == null ? null : s.checkState().sqlName())
                .put("updated_at", instant(s.updatedAt()));
        ObjectNode changeMarkers = item.putObject("change_markers");
        for (Map.Entry<String, String> marker : fetched.changeMarkers().entrySet()) {
            changeMarkers.put(marker.getKey(), StoredText.cut(marker.getValue(), StoredText.CHANGE_MARKER));
        }
        if (!fetched.events().isEmpty()) {
            ArrayNode events = item.putArray("events");
            for (TimelineEvent event : fetched.events()) {
                ObjectNode node = events.addObject()
                        .put("kind", StoredText.cut(event.kind(), StoredText.EVENT_KIND))
                        .put("occurred_at", instant(event.occurredAt()))
                        .put("dedupe_key", StoredText.cut(event.dedupeKey(), StoredText.DEDUPE_KEY));
                if (event.payloadJson() != null) {
                    node.set("payload", StoredText.payload(readTree(event.payloadJson())));
                }
            }
        }
    }

    /**
     * Postgres text and jsonb cannot hold U+0000, which a host may send inside a title or a comment;
     * it is dropped (everywhere, keys included) so that the write-back does not fail on it.
     */
    static JsonNode withoutNul(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            return text.indexOf('\u0000') < 0 ? node : json.getNodeFactory().textNode(text.replace("\u0000", ""));
        }
        if (node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            for (int i = 0; i < array.size(); i++) {
                array.set(i, withoutNul(array.get(i)));
            }
        } else if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            List<String> keys = new ArrayList<>();
            object.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                JsonNode value = withoutNul(object.get(key));
                if (key.indexOf('\u0000') >= 0) {
                    object.remove(key);
                    object.set(key.replace("\u0000", ""), value);
                } else {
                    object.set(key, value);
                }
            }
        }
        return node;
    }

    private static ObjectNode ref(ObjectNode item, ClaimRef ref) {
        return item.put("changeset_id", ref.changesetId()).put("claim_token", ref.claimToken());
    }

    private static String instant(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static JsonNode readTree(String payload) {
        try {
            return json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event payload is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(ArrayNode array) {
        try {
            return json.writeValueAsString(withoutNul(array));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
