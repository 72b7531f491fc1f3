package dev.changesetsyncer.codehost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.gitlab.GitLabClient;
import dev.changesetsyncer.codehost.hosts.RealCodeHosts;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Clients by kind, one per code host; a host the worker is not set up for fails its syncs with what to configure. */
class CodeHostClientRegistryTest {
    static final CodeHost GITHUB = new CodeHost(3, "github.com", CodeHostKind.GITHUB, "https://api.github.com");
    static final CodeHost GITLAB = new CodeHost(4, "gitlab.com", CodeHostKind.GITLAB, "https://gitlab.com");
    static final CodeHost SIMULATED = new CodeHost(5, "simulated", CodeHostKind.SIMULATED, "https://sim.test");
    final HostHttp http = new HostHttp(HostHttp.Settings.DEFAULT);

    @Test
    void aHostWithoutATokenFailsEverySyncAsUnconfiguredNamingTheVariableToSet() throws Exception {
        CodeHostClientRegistry clients = RealCodeHosts.registry(
                CodeHostCredentials.load(Map.of("SYNCER_TOKEN_GITLAB_COM", "glpat-secret"), null), http);

        SyncResult result = clients.forHost(GITHUB).fetch(target(GITHUB));

        assertThat(result).isEqualTo(new SyncResult.Failed(FailureKind.UNCONFIGURED,
                "no token for code host \"github.com\": set SYNCER_TOKEN_GITHUB_COM or add it to the tokens file", null, null));
        assertThat(clients.forHost(GITLAB)).as("a host with a token gets its real client").isInstanceOf(GitLabClient.class);
    }

    @Test
    void eachHostsClientIsBuiltOnceAndKeptEvenWhenItIsUnconfigured() {
        CodeHostCredentials none = CodeHostCredentials.load(Map.of(), null);
        AtomicInteger built = new AtomicInteger();
        CodeHostClientRegistry clients = new CodeHostClientRegistry().register(CodeHostKind.GITHUB, host -> {
            built.incrementAndGet();
            none.require(host.name());
            throw new AssertionError("unreachable: there is no token");
        });

        CodeHostClient first = clients.forHost(GITHUB);
        CodeHostClient again = clients.forHost(GITHUB);

        assertThat(again).isSameAs(first);
        assertThat(built).hasValue(1);
    }

    @Test
    void aKindWithoutAFactoryFailsAsUnconfiguredNamingTheKind() throws Exception {
        CodeHostClientRegistry clients = RealCodeHosts.registry(CodeHostCredentials.load(Map.of(), null), http);

        SyncResult result = clients.forHost(SIMULATED).fetch(target(SIMULATED));

        assertThat(result).isInstanceOfSatisfying(SyncResult.Failed.class, failed -> {
            assertThat(failed.kind()).isEqualTo(FailureKind.UNCONFIGURED);
            assertThat(failed.message()).isEqualTo(
                    "this worker has no client for code hosts of kind simulated (code host \"simulated\")");
        });
    }

    @Test
    void whoeverAssemblesTheWorkerRegistersTheKindsItNeeds() {
        CodeHostClient simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        CodeHostClientRegistry clients = new CodeHostClientRegistry().register(CodeHostKind.SIMULATED, host -> simulator);

        assertThat(clients.forHost(SIMULATED)).isSameAs(simulator);
    }

    static SyncTarget target(CodeHost host) {
        return new SyncTarget(1, host.id(), host.name(), host.kind(), host.baseUrl(), "1", "octocat/Hello-World", "1347",
                Map.of(), null, null, null, false);
    }
}
