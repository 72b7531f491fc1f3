package dev.changesetsyncer.queue;

import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.HostPauses;
import dev.changesetsyncer.codehost.RateLimitStatus;
import dev.changesetsyncer.codehost.http.RateLimitHeaders;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.NotificationListener;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jooq.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pauses: what a host may impose on itself (at most an hour), and what an operator may set and clear. */
@ExtendWith(PostgresExtension.class)
class PausesTest {
    static final Duration MAX_HOST_PAUSE = ofHours(1);
    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;
    final HostPauses pauses;

    PausesTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
        this.pauses = new HostPauses(database.dsl());
    }

    @BeforeEach
    void emptyQueue() {
        database.truncateAll();
    }

    @Test
    void theClientsCapOfAHostsWaitIsTheSchemas() {
        assertThat(Duration.ofSeconds(database.value(Long.class, "SELECT extract(epoch FROM code_host_max_pause())::bigint")))
                .isEqualTo(MAX_HOST_PAUSE).isEqualTo(RateLimitHeaders.MAX_PAUSE);
    }

    @Test
    void aHostsRetryAfterPausesItAtMostAnHour() {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 2);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        Instant before = databaseNow();

        queue.defer(List.of(new Deferral(claim.ref(), host.id(), Duration.ofSeconds(999_999_999), null, "429")));

        assertThat(pausedUntil(host)).isBetween(before.plus(MAX_HOST_PAUSE), databaseNow().plus(MAX_HOST_PAUSE));
    }

    @Test
    void aHostsResetFarAheadPausesItAtMostAnHourAndSaysSo() {
        CodeHost observed = catalog.host();
        CodeHost refused = catalog.host();
        Instant year2286 = Instant.parse("2286-11-20T17:46:39Z");
        catalog.changesets(catalog.repo(refused), 1);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        Instant before = databaseNow();

        queue.observe(List.of(new RateLimitObservation(observed.id(), new RateLimitStatus(5000L, 0L, year2286))));
        queue.defer(List.of(new Deferral(claim.ref(), refused.id(), null, new RateLimitStatus(5000L, 0L, year2286), "403")));

        Instant after = databaseNow();
        assertThat(pausedUntil(observed)).isBetween(before.plus(MAX_HOST_PAUSE), after.plus(MAX_HOST_PAUSE));
        assertThat(pausedUntil(refused)).isBetween(before.plus(MAX_HOST_PAUSE), after.plus(MAX_HOST_PAUSE));
        assertThat(summary(observed).get("pause_reason", String.class)).contains("2286").contains("at most 01:00:00");
    }

    @Test
    void anOperatorPausesAHostForEveryReplicaUntilResumed() throws Exception {
        CodeHost paused = catalog.host();
        CodeHost other = catalog.host();
        catalog.changesets(catalog.repo(paused), 3);
        catalog.changesets(catalog.repo(other), 3);
        Instant before = databaseNow();

        Instant until = pauses.pause(paused.name(), ofHours(2), "maintenance\u001b[2J window\n");

        assertThat(until).isBetween(before.plus(ofHours(2)), databaseNow().plus(ofHours(2)));
        assertThat(queue.claim("w1", 10, ofSeconds(30))).extracting(c -> c.target().codeHostId()).containsOnly(other.id());
        assertThat(summary(paused).get("pause_reason", String.class))
                .as("control characters out, the operator's role in").isEqualTo("maintenance [2J window (paused by " + operator() + ")");
        assertThat(database.value(String.class, "SELECT paused_by FROM code_host_budgets WHERE code_host_id = " + paused.id()))
                .isEqualTo(operator());

        try (NotificationListener listener = new NotificationListener(database.url(), "changeset_sync_due")) {
            assertThat(pauses.resume(paused.name())).hasValue(until);
            assertThat(listener.collect(500)).as("idle replicas are woken").isNotEmpty();
        }
        assertThat(queue.claim("w1", 10, ofSeconds(30))).hasSize(3);
        assertThat(pauses.resume(paused.name())).as("not paused any more").isEmpty();
    }

    @Test
    void anOperatorsResumeClearsAHostsOwnPause() {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 3);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        queue.defer(List.of(new Deferral(claim.ref(), host.id(), ofMinutes(30), null, "429 Too Many Requests")));
        assertThat(queue.claim("w1", 10, ofSeconds(30))).isEmpty();

        assertThat(pauses.resume(host.name())).isPresent();

        assertThat(queue.claim("w1", 10, ofSeconds(30))).hasSize(3);
        assertThat(summary(host).get("pause_reason", String.class)).isNull();
    }

    @Test
    void aHostsShorterPauseLeavesAnOperatorsPauseAsItWasAndALongerOneLengthensIt() {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 3);
        Claim claim = queue.claim("w1", 2, ofSeconds(30)).getFirst();
        Instant operators = pauses.pause(host.name(), ofMinutes(30), "deploy");

        queue.defer(List.of(new Deferral(claim.ref(), host.id(), ofMinutes(1), null, "429 shorter")));

        assertThat(pausedUntil(host)).isEqualTo(operators);
        assertThat(summary(host).get("pause_reason", String.class)).startsWith("deploy");

        queue.observe(List.of(new RateLimitObservation(host.id(),
                new RateLimitStatus(5000L, 0L, databaseNow().plus(ofMinutes(45))))));

        assertThat(pausedUntil(host)).isAfter(operators);
        assertThat(summary(host).get("pause_reason", String.class)).contains("no requests left");
        assertThat(database.value(String.class, "SELECT paused_by FROM code_host_budgets WHERE code_host_id = " + host.id()))
                .as("the host's pause now").isNull();
    }

    @Test
    void aPauseNeedsAKnownHostAndAnEndWithinThirtyDays() {
        CodeHost host = catalog.host();

        assertThatThrownBy(() -> pauses.pause("no-such-host", ofMinutes(5), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no code host named \"no-such-host\"");
        assertThatThrownBy(() -> pauses.resume("no-such-host"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no code host named \"no-such-host\"");
        assertThatThrownBy(() -> pauses.pause(host.name(), Duration.ofDays(31), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a pause may last at most 30 days");
        assertThatThrownBy(() -> pauses.pause(host.name(), ofSeconds(-5), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a pause must end in the future")
                .hasMessageContaining("resume_code_host() ends a pause");
        assertThatThrownBy(() -> database.execute("SELECT pause_code_host('" + host.name() + "', 'infinity', 'forever')"))
                .hasMessageContaining("a pause needs an end, got infinity");
        assertThatThrownBy(() -> database.execute("UPDATE code_host_budgets SET paused_until = 'infinity'"))
                .hasMessageContaining("code_host_budgets_paused_until_finite");
        assertThat(summary(host).get("paused_until", Instant.class)).isNull();
    }

    String operator() {
        return database.value(String.class, "SELECT session_user");
    }

    Instant pausedUntil(CodeHost host) {
        return database.value(Instant.class, "SELECT paused_until FROM code_host_budgets WHERE code_host_id = " + host.id());
    }

    Instant databaseNow() {
        return database.value(Instant.class, "SELECT now()");
    }

    Record summary(CodeHost host) {
        return database.dsl().fetchSingle("SELECT * FROM code_host_sync_summary WHERE code_host_id = " + host.id());
    }
}
