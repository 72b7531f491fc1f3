package dev.changesetsyncer.codehost;

import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.bitbucket.BitbucketServerClient;
import dev.changesetsyncer.codehost.github.GitHubClient;
import dev.changesetsyncer.codehost.gitlab.GitLabClient;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.codehost.http.Token;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/** The clients a worker uses: one per code host, created on first use with that host's token. */
public final class DefaultCodeHostClients implements CodeHostClients {
    private final SimulationSettings simulation;
    private final CodeHostCredentials credentials;
    private final HostHttp http;
    private final LongFunction<String> hostNames;
    private final Map<Long, CodeHostClient> clients = new ConcurrentHashMap<>();

    /**
     * @param simulation how code hosts of kind {@code simulated} behave
     * @param hostNames the name of a code host by id (tokens are configured by name)
     */
    public DefaultCodeHostClients(SimulationSettings simulation, CodeHostCredentials credentials, HostHttp http,
            LongFunction<String> hostNames) {
        this.simulation = simulation;
        this.credentials = credentials;
        this.http = http;
        this.hostNames = hostNames;
    }

    @Override
    public CodeHostClient forHost(long codeHostId, CodeHostKind kind, String baseUrl) {
        return clients.computeIfAbsent(codeHostId, id -> switch (kind) {
            case SIMULATED -> new SimulatedCodeHost(simulation);
            case GITHUB -> new GitHubClient(baseUrl, token(id), http);
            case GITLAB -> new GitLabClient(baseUrl, token(id), http);
            case BITBUCKET_SERVER -> new BitbucketServerClient(baseUrl, token(id), http);
        });
    }

    private Token token(long codeHostId) {
        String name = hostNames.apply(codeHostId);
        return credentials.tokenFor(name).orElseThrow(() -> new UnsupportedCodeHostException(
                "no token for code host \"" + name + "\": set " + CodeHostCredentials.variableFor(name)
                        + " or add it to the tokens file"));
    }
}
