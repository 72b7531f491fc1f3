package dev.changesetsyncer.webhooks;

import static dev.changesetsyncer.jooq.Tables.RECORD_WEBHOOK_DELIVERY;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.changesetsyncer.jooq.tables.records.RecordWebhookDeliveryRecord;
import dev.changesetsyncer.webhooks.Interpretation.ChangesetActivity;
import dev.changesetsyncer.webhooks.Interpretation.RepositoryActivity;
import org.jooq.DSLContext;
import org.jooq.JSONB;

/**
 * Stores verified deliveries: one call of {@code record_webhook_delivery} per delivery, one round
 * trip, one transaction (so a failure leaves nothing half-written).
 */
final class WebhookStore {
    private static final JsonNodeFactory json = JsonNodeFactory.instance;
    private final DSLContext dsl;

    WebhookStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    StoreOutcome record(long codeHostId, String deliveryKey, ChangesetActivity activity) {
        ArrayNode targets = json.arrayNode();
        for (Target target : activity.targets()) {
            targets.add(repo(target.repo()).put("number", target.number()).put("head_sha", target.headSha())
                    .put("open", target.open()));
        }
        return call(codeHostId, deliveryKey, activity.event(), JSONB.valueOf(targets.toString()), null,
                activity.summary());
    }

    StoreOutcome record(long codeHostId, String deliveryKey, RepositoryActivity activity) {
        RepositoryChange change = activity.change();
        ObjectNode repoChange = repo(change.repo()).put("renamed_to", change.renamedTo()).put("deleted", change.deleted());
        if (change.archived() != null) {
            repoChange.put("archived", change.archived());
        }
        return call(codeHostId, deliveryKey, activity.event(), null, JSONB.valueOf(repoChange.toString()),
                activity.summary());
    }

    private StoreOutcome call(long codeHostId, String deliveryKey, String event, JSONB targets, JSONB repoChange,
            ObjectNode summary) {
        RecordWebhookDeliveryRecord r = dsl.selectFrom(RECORD_WEBHOOK_DELIVERY.call(codeHostId, deliveryKey, event,
                targets, repoChange, JSONB.valueOf(summary.toString()))).fetchSingle();
        return switch (r.getOutcome()) {
            case "stored" -> new StoreOutcome.Stored(r.getEventsStored(), r.getReposUpdated(), r.getWokeWorkers());
            case "duplicate" -> new StoreOutcome.Duplicate();
            case "unmatched" -> new StoreOutcome.Unmatched();
            default -> throw new IllegalStateException("record_webhook_delivery answered " + r.getOutcome());
        };
    }

    private static ObjectNode repo(RepoRef repo) {
        return json.objectNode().put("repo_external_id", repo.externalId()).put("repo_name", repo.name());
    }
}
