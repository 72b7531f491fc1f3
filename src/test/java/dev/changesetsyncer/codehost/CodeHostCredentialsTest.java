package dev.changesetsyncer.codehost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void aRequiredTokenThatIsMissingIsAConfigurationErrorNamingTheHostAndTheVariable() {
        CodeHostCredentials credentials = CodeHostCredentials.load(Map.of("SYNCER_TOKEN_GITLAB_COM", "glpat-secret"), null);

        assertThat(credentials.require("gitlab.com").reveal()).isEqualTo("glpat-secret");
        assertThatThrownBy(() -> credentials.require("github.com"))
                .isInstanceOf(CodeHostCredentials.MissingTokenException.class)
                .hasMessage("no token for code host \"github.com\": set SYNCER_TOKEN_GITHUB_COM or add it to the tokens file");
    }
}
