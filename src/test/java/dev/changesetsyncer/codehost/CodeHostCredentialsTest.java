package dev.changesetsyncer.codehost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.simulation.SimulationSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One token per code host, from the environment or a tokens file, never shown. */
class CodeHostCredentialsTest {
    @Test
    void theVariableIsNamedAfterTheHost() {
        assertThat(CodeHostCredentials.variableFor("github.com")).isEqualTo("SYNCER_TOKEN_GITHUB_COM");
        assertThat(CodeHostCredentials.variableFor("gitlab-internal")).isEqualTo("SYNCER_TOKEN_GITLAB_INTERNAL");
    }

    @Test
    void theEnvironmentOverridesTheTokensFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens.properties");
        Files.writeString(file, "github.com=from-file\ngitlab.com=gitlab-from-file\n");

        CodeHostCredentials credentials = CodeHostCredentials.load(Map.of("SYNCER_TOKEN_GITHUB_COM", "from-env"), file);

        assertThat(credentials.tokenFor("github.com")).hasValueSatisfying(t -> assertThat(t.reveal()).isEqualTo("from-env"));
        assertThat(credentials.tokenFor("gitlab.com")).hasValueSatisfying(t -> assertThat(t.reveal()).isEqualTo("gitlab-from-file"));
        assertThat(credentials.tokenFor("bitbucket")).isEmpty();
        assertThat(credentials.tokenFor("github.com").orElseThrow().toString()).doesNotContain("from-env");
    }

    @Test
    void anUnreadableTokensFileIsAClearError(@TempDir Path dir) {
        assertThatThrownBy(() -> CodeHostCredentials.load(Map.of(), dir.resolve("missing.properties")))
                .hasMessageContaining("cannot read the tokens file");
    }

    @Test
    void aHostWithoutATokenGetsNoClientAndTheMessageSaysHowToConfigureIt() {
        DefaultCodeHostClients clients = new DefaultCodeHostClients(SimulationSettings.DEFAULT,
                CodeHostCredentials.load(Map.of(), null), new HostHttp(HostHttp.Settings.DEFAULT), id -> "github.com");

        assertThatThrownBy(() -> clients.forHost(3, CodeHostKind.GITHUB, "https://api.github.com"))
                .isInstanceOf(CodeHostClients.UnsupportedCodeHostException.class)
                .hasMessageContaining("no token for code host \"github.com\"")
                .hasMessageContaining("SYNCER_TOKEN_GITHUB_COM");
        assertThat(clients.forHost(4, CodeHostKind.SIMULATED, "https://sim.test")).isNotNull();
    }
}
