package dev.changesetsyncer.demo;

import dev.changesetsyncer.webhooks.GitHubWebhookSender;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * Now and then, the simulated host "sends" a webhook: a signed {@code pull_request} delivery in
 * GitHub's format, to the demo's own server, for the changeset due furthest in the future. The
 * demo says how the webhook moved that changeset's next sync, and when it was synced.
 */
final class DemoWebhooks {
    private record Delivered(long changesetId, String label, Instant at) {}

    private final DSLContext dsl;
    private final GitHubWebhookSender sender;
    private final PrintStream out;
    private final List<Delivered> waiting = new ArrayList<>();
    private int stored;

    DemoWebhooks(DSLContext dsl, GitHubWebhookSender sender, PrintStream out) {
        this.dsl = dsl;
        this.sender = sender;
        this.out = out;
    }

    void deliverOne() throws InterruptedException {
        Record quiet = dsl.fetchOptional("""
                SELECT c.id, c.external_id, r.id AS repo_id, r.name, coalesce(c.head_sha, '0') AS head_sha,
                       extract(epoch FROM s.next_sync_at - now()) AS due_in
                  FROM changeset_sync_state s
                  JOIN changesets c ON c.id = s.changeset_id
                  JOIN repos r ON r.id = c.repo_id
                 WHERE s.claim_token IS NULL AND s.failures = 0 AND s.gone_at IS NULL AND s.requested_at IS NULL
                   AND s.last_synced_at IS NOT NULL AND NOT r.archived
                 ORDER BY s.next_sync_at DESC
                 LIMIT 1""").orElse(null);
        if (quiet == null) {
            return;
        }
        long id = quiet.get("id", Long.class);
        String label = quiet.get("name", String.class) + "#" + quiet.get("external_id", String.class);
        byte[] body = GitHubWebhookSender.pullRequestEvent("synchronize", quiet.get("repo_id", Long.class),
                quiet.get("name", String.class), quiet.get("external_id", String.class),
                quiet.get("head_sha", String.class), 0);
        Instant sent = dsl.fetchSingle("SELECT now()").get(0, Instant.class);
        GitHubWebhookSender.Answer answer;
        try {
            answer = sender.send("pull_request", body);
        } catch (IOException e) {
            out.printf("        >> webhook for %s not delivered: %s%n", label, e.getMessage());
            return;
        }
        Double dueIn = dsl.fetchSingle("SELECT extract(epoch FROM next_sync_at - now()) FROM changeset_sync_state "
                + "WHERE changeset_id = ?", id).get(0, Double.class);
        if (answer.status() != 200) {
            out.printf("        >> webhook for %s answered %d: %s%n", label, answer.status(), answer.body());
            return;
        }
        out.printf("        >> webhook pull_request.synchronize for %s (GitHub's format, signed) answered 200: it was due "
                        + "in %.1f s, now %s%n", label, quiet.get("due_in", Double.class),
                dueIn == null ? "never" : dueIn <= 0 ? "it is due now" : String.format("in %.1f s", dueIn));
        stored++;
        waiting.add(new Delivered(id, label, sent));
    }

    /** Says which of the changesets a webhook made due have been synced since. */
    void reportSynced() {
        for (Iterator<Delivered> it = waiting.iterator(); it.hasNext(); ) {
            Delivered delivered = it.next();
            Double after = dsl.fetchSingle("SELECT extract(epoch FROM last_synced_at - ?::timestamptz) "
                    + "FROM changeset_sync_state WHERE changeset_id = ?", delivered.at(), delivered.changesetId())
                    .get(0, Double.class);
            if (after != null && after > 0) {
                out.printf("        >> %s synced %.1f s after its webhook%n", delivered.label(), after);
                it.remove();
            }
        }
    }

    int stored() {
        return stored;
    }
}
