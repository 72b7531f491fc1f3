package dev.changesetsyncer.codehost.hosts;

import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.CodeHostClientRegistry;
import dev.changesetsyncer.codehost.CodeHostCredentials;
import dev.changesetsyncer.codehost.bitbucket.BitbucketServerClient;
import dev.changesetsyncer.codehost.github.GitHubClient;
import dev.changesetsyncer.codehost.gitlab.GitLabClient;
import dev.changesetsyncer.codehost.http.HostHttp;

/** The code hosts a production worker talks to: GitHub, GitLab and Bitbucket Server. */
public final class RealCodeHosts {
    private RealCodeHosts() {}

    /**
     * A registry with a client factory for each real kind, building every host's client with its
     * token. Simulated hosts are the demo's, the benchmarks' and the tests' (who register them): a
     * worker using only this registry fails their syncs as unconfigured.
     */
    public static CodeHostClientRegistry registry(CodeHostCredentials credentials, HostHttp http) {
        return new CodeHostClientRegistry()
                .register(CodeHostKind.GITHUB,
                        host -> new GitHubClient(host.baseUrl(), credentials.require(host.name()), http))
                .register(CodeHostKind.GITLAB,
                        host -> new GitLabClient(host.baseUrl(), credentials.require(host.name()), http))
                .register(CodeHostKind.BITBUCKET_SERVER,
                        host -> new BitbucketServerClient(host.baseUrl(), credentials.require(host.name()), http));
    }
}
