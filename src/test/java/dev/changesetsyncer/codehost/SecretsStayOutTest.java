package dev.changesetsyncer.codehost;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.codehost.hosts.RealCodeHosts;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.testing.CapturedLogs;
import dev.changesetsyncer.testing.HostileServer;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.testing.TestHttp;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replica syncing hosts whose token or answers would have put the token where others read it: in
 * last_error (the schedule view, the schedule command) and in the log.
 */
@ExtendWith(PostgresExtension.class)
class SecretsStayOutTest {
    static final String PULL = "/repos/octocat/Hello-World/pulls/1347";
    final TestDatabase database;
    final CatalogStore catalog;
    final HostileServer github = new HostileServer();
    Replica replica;

    SecretsStayOutTest(TestDatabase database) {
        this.database = database;
        this.catalog = new CatalogStore(database.dsl());
    }

    @BeforeEach
    void empty() {
        database.truncateAll();
    }

    @AfterEach
    void stop() {
        if (replica != null) {
            replica.stop();
        }
        github.close();
    }

    @Test
    void aTokenWithAnInvisibleCharacterIsAConfigurationErrorThatNamesTheHostAndTheVariableButNeverTheToken() {
        String token = "ghp_pasted\u200BWithAZeroWidthSpace";
        long changeset = changesetOn("pasted-github");
        try (CapturedLogs logs = new CapturedLogs()) {
            startReplica(Map.of("SYNCER_TOKEN_PASTED_GITHUB", token));

            String error = lastErrorOnceFailed(changeset);

            assertThat(error).startsWith("unconfigured: the token of code host \"pasted-github\" (SYNCER_TOKEN_PASTED_GITHUB) "
                    + "is not usable: the token has an invisible character (U+200B) at character 11 of 30");
            assertThat(error).doesNotContain("ghp_pasted").doesNotContain("WithAZeroWidthSpace");
            assertThat(logs.text()).contains("SYNCER_TOKEN_PASTED_GITHUB")
                    .doesNotContain("ghp_pasted").doesNotContain("WithAZeroWidthSpace");
            assertThat(github.requests()).as("nothing was sent").isEmpty();
        }
    }

    @Test
    void aTokenWithALineBreakInsideNeverReachesALogLineOrTheDatabase() {
        String token = "glpat-first-half\nsecond-half";
        long changeset = changesetOn("broken-github");
        try (CapturedLogs logs = new CapturedLogs()) {
            startReplica(Map.of("SYNCER_TOKEN_BROKEN_GITHUB", token));

            String error = lastErrorOnceFailed(changeset);

            assertThat(error).contains("a control character (U+000A) at character 17 of 28")
                    .doesNotContain("first-half").doesNotContain("second-half");
            assertThat(logs.text()).doesNotContain("first-half").doesNotContain("second-half");
        }
    }

    @Test
    void aHostEchoingOurHeadersAndEscapeCodesHasNeitherStoredNorLogged() {
        String token = "ghp_echoed-back-by-a-proxy";
        github.on(PULL, exchange -> HostileServer.send(exchange, 200, "text/plain",
                "\u001b[2J\u001b[31mproxy error; you sent Authorization: " + exchange.getRequestHeaders().getFirst("Authorization")));
        long changeset = changesetOn("echo-github");
        try (CapturedLogs logs = new CapturedLogs()) {
            startReplica(Map.of("SYNCER_TOKEN_ECHO_GITHUB", token));

            String error = lastErrorOnceFailed(changeset);

            assertThat(error).contains("not valid JSON").contains("Authorization: Bearer ***")
                    .contains("\\x1B[2J").doesNotContain(token).doesNotContain("\u001b");
            assertThat(github.requests()).extracting(HostileServer.Request::authorization).contains("Bearer " + token);
            assertThat(logs.text()).doesNotContain(token).doesNotContain("\u001b");
        }
    }

    long changesetOn(String hostName) {
        CodeHost host = catalog.createCodeHost(hostName, CodeHostKind.GITHUB, github.baseUrl(), ScheduleSettings.DEFAULTS);
        Repo repo = catalog.createRepo(host.id(), "1296269", "octocat/Hello-World");
        return catalog.createChangesets(repo.id(), List.of("1347")).getFirst();
    }

    String lastErrorOnceFailed(long changeset) {
        await().atMost(ofSeconds(30)).until(() -> database.value(Integer.class,
                "SELECT failures FROM changeset_sync_state WHERE changeset_id = " + changeset) > 0);
        return database.value(String.class, "SELECT last_error FROM changeset_sync_state WHERE changeset_id = " + changeset);
    }

    void startReplica(Map<String, String> environment) {
        CodeHostCredentials tokens = CodeHostCredentials.load(environment, null);
        HostHttp http = TestHttp.patient(1);
        replica = Replica.start(WorkerSettings.defaults("secrets").withConcurrency(2).withPollInterval(Duration.ofMillis(500)),
                database.url(), RealCodeHosts.registry(tokens, http));
    }
}
