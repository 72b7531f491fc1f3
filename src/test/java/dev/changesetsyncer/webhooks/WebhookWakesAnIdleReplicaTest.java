package dev.changesetsyncer.webhooks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.service.HttpService;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.Replicas;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.util.List;
import java.util.Map;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A webhook long after the last sync makes an idle replica sync the changeset: the replica polls
 * only every ten minutes, so only the NOTIFY the delivery sends can wake it in time. The host's
 * minimum delay is a second, so the sync follows at once whichever way the rule places it (one
 * minimum after the event, or after the last sync).
 */
@ExtendWith(PostgresExtension.class)
class WebhookWakesAnIdleReplicaTest {
    final TestDatabase database;

    WebhookWakesAnIdleReplicaTest(TestDatabase database) {
        this.database = database;
    }

    @Test
    void aWebhookMakesAnIdleReplicaSyncAChangesetLastSyncedLongAgo() throws Exception {
        database.truncateAll();
        CatalogStore catalog = new CatalogStore(database.dsl());
        CodeHost host = catalog.createCodeHost("github.test", CodeHostKind.GITHUB, "https://github.test",
                // min 2 min: the webhook makes it due at once (2 min after a sync 2 hours ago), and the sync it
                // causes cannot be followed by another within the test, whatever the simulated host reports
                new ScheduleSettings(ofMinutes(2), ofHours(8), ofMinutes(5), ofHours(24)));
        Repo repo = catalog.createRepo(host.id(), "186853002", "Codertocat/Hello-World");
        long changeset = database.dsl().transactionResult(configuration -> {
            var dsl = DSL.using(configuration);
            long id = dsl.fetchSingle("INSERT INTO changesets (repo_id, external_id, state) VALUES (?, '2', 'open') RETURNING id",
                    repo.id()).get(0, Long.class);
            dsl.execute("""
                    UPDATE changeset_sync_state SET last_synced_at = now() - interval '2 hours',
                           last_attempt_at = now() - interval '2 hours', synced_updated_at = now() - interval '3 days'
                     WHERE changeset_id = ?""", id);
            return id;
        });
        assertThat(database.value(Boolean.class, "SELECT next_sync_at > now() + interval '1 hour' FROM changeset_sync_state "
                + "WHERE changeset_id = " + changeset)).as("due in hours: the backoff cap").isTrue();
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT);

        try (Replicas replicas = new Replicas(database);
                HttpService service = HttpService.start("wake", HttpSettings.onPort(0), database.url(),
                        WebhookSecrets.of(Map.of("github.test", WebhooksOverHttpTest.SECRET)))) {
            Replica idle = replicas.start(WorkerSettings.defaults("idle").withPollInterval(ofMinutes(10)), simulator);
            // it has looked once, found nothing due, and sleeps until the poll (ten minutes) or a NOTIFY
            await().atMost(ofSeconds(30)).until(() -> idle.metrics().snapshot().claimCalls() >= 1);

            SignedDeliveries.Answer answer = new SignedDeliveries("http://127.0.0.1:" + service.port(), WebhooksOverHttpTest.SECRET)
                    .github("github.test", "pull_request", "wake-1",
                            Fixtures.text("github/webhooks/pull_request.synchronize.json").getBytes(UTF_8));

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).endsWith("due earlier now, workers woken");
            await().atMost(ofSeconds(60)).until(() -> simulator.fetchesOf(changeset) == 1);
        }
        assertThat(simulator.fetches()).isEqualTo(1);
        assertThat(database.dsl().fetch("SELECT kind FROM changeset_events WHERE changeset_id = ?", changeset)
                .getValues(0, String.class)).isEqualTo(List.of("pull_request.synchronize"));
    }
}
