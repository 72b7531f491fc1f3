package dev.changesetsyncer.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.codehost.Token;
import dev.changesetsyncer.codehost.github.GitHubClient;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.SyncQueue;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.HostileServer;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replica frozen past its lease (a long GC pause, SIGSTOP, a suspended VM) must not call the host
 * for a changeset another replica may have claimed since: each request of a sync first checks the
 * lease deadline (less the margin), and an answer is not awaited past it. The freeze is played by
 * moving the sync's deadline into the past while the host answers its first request — what a
 * resumed process finds, since its lease keeper did not run while it was frozen.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LeaseDeadlineTest {
    static final String PULL = "/repos/octocat/Hello-World/pulls/1347";

    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;
    final WorkerMetrics metrics = new WorkerMetrics();
    final HostileServer github = new HostileServer();
    final WorkerSettings settings = WorkerSettings.defaults("frozen");

    LeaseDeadlineTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
        database.truncateAll();
    }

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void aSyncWhoseDeadlinePassedBetweenTwoRequestsMakesNoMoreAndWritesNothingBack() throws Exception {
        InFlightSync sync = claimOne();
        github.on(PULL, exchange -> {
            sync.extendTo(System.nanoTime() - 1); // frozen meanwhile: the lease ran out
            HostileServer.send(exchange, 200, "application/json", Fixtures.text("github/pulls-get.json"));
        });
        CompletionWriter writer = new CompletionWriter("frozen", queue, metrics, () -> { }, ref -> { });

        boolean queued = run(sync, writer, Duration.ofSeconds(20));

        assertThat(github.requests()).as("the pull request was read, then nothing more")
                .extracting(HostileServer.Request::path).containsExactly(PULL);
        assertThat(queued).as("no result for the writer").isFalse();
        assertThat(writer.pending()).isZero();
        assertThat(sync.state()).isEqualTo(InFlightSync.State.LOST);
        assertThat(metrics.snapshot().lost()).as("counted").isEqualTo(1);
    }

    @Test
    void noRequestStartsWithinTheMarginBeforeTheDeadline() throws Exception {
        InFlightSync sync = claimOne();
        sync.extendTo(System.nanoTime() + settings.requestMargin().toNanos() / 2); // inside the margin
        github.on(PULL, exchange -> HostileServer.send(exchange, 200, "application/json",
                Fixtures.text("github/pulls-get.json")));

        boolean queued = run(sync, new CompletionWriter("frozen", queue, metrics, () -> { }, ref -> { }),
                Duration.ofSeconds(20));

        assertThat(github.requests()).isEmpty();
        assertThat(queued).isFalse();
    }

    @Test
    void anAnswerStillAwaitedAtTheDeadlineIsNotWaitedFor() throws Exception {
        InFlightSync sync = claimOne();
        CountDownLatch release = new CountDownLatch(1);
        github.on(PULL, exchange -> {
            release.await(); // the host never answers while the test runs
            HostileServer.send(exchange, 200, "application/json", Fixtures.text("github/pulls-get.json"));
        });
        sync.extendTo(System.nanoTime() + settings.requestMargin().toNanos() + Duration.ofMillis(500).toNanos());
        CompletionWriter writer = new CompletionWriter("frozen", queue, metrics, () -> { }, ref -> { });
        try {
            // the request timeout (a minute) is far beyond the deadline: only the deadline can end the sync
            boolean queued = run(sync, writer, Duration.ofMinutes(1));

            assertThat(github.requests()).extracting(HostileServer.Request::path).containsExactly(PULL);
            assertThat(queued).isFalse();
            assertThat(writer.pending()).isZero();
            assertThat(metrics.snapshot().lost()).isEqualTo(1);
        } finally {
            release.countDown();
        }
    }

    /** Claims a changeset in the database (a real claim, held in the test's replica) aimed at the test's host. */
    InFlightSync claimOne() {
        catalog.changeset(catalog.repo(catalog.host()));
        long sent = System.nanoTime();
        Claim claimed = queue.claim("frozen", 1, settings.lease()).getFirst();
        SyncTarget target = new SyncTarget(claimed.changesetId(), 7, "github-test", CodeHostKind.GITHUB, github.baseUrl(),
                "1296269", "octocat/Hello-World", "1347", Map.of(), null, null, null, null);
        Claim claim = new Claim(claimed.ref(), claimed.claimedAt(), claimed.leaseUntil(), claimed.priority(),
                claimed.level(), claimed.cost(), target, claimed.requestedAt());
        return new InFlightSync(claim, InFlight.deadline(sent, claim.claimedAt(), claim.leaseUntil()));
    }

    /** Runs the sync on its own thread until it ends; whether a result went to the writer. */
    boolean run(InFlightSync sync, CompletionWriter writer, Duration requestTimeout) throws Exception {
        GitHubClient client = new GitHubClient(github.baseUrl(), new Token("ghp_test-token"),
                new HostHttp(new HostHttp.Settings(Duration.ofSeconds(2), requestTimeout, 1)));
        AtomicReference<Boolean> queued = new AtomicReference<>();
        SyncTask task = new SyncTask("frozen", sync, host -> client, writer, queued::set,
                settings.requestMargin().toNanos(), metrics);
        CompletableFuture.runAsync(task, runnable -> Thread.ofVirtual().start(runnable)).get(90, TimeUnit.SECONDS);
        return queued.get();
    }
}
