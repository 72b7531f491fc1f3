package dev.changesetsyncer.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.codehost.CodeHostCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Webhook secrets are configured like tokens, may be two while rotating, and never show. */
class WebhookSecretsTest {
    @TempDir
    Path dir;

    @Test
    void aHostsVariableIsNamedExactlyLikeItsTokenVariable() {
        for (String name : List.of("github.com", "gitlab.example.com:8443", "bb-1", "Ünïcode host", "x")) {
            assertThat(WebhookSecrets.variableFor(name).substring("SYNCER_WEBHOOK_SECRET_".length()))
                    .isEqualTo(CodeHostCredentials.variableFor(name).substring("SYNCER_TOKEN_".length()));
        }
        assertThat(WebhookSecrets.variableFor("github.com")).isEqualTo("SYNCER_WEBHOOK_SECRET_GITHUB_COM");
    }

    @Test
    void theEnvironmentWinsOverTheFileAndAHostWithNeitherHasNone() throws Exception {
        Path file = dir.resolve("secrets");
        Files.writeString(file, "github.com=from-file\ngitlab.internal = file-only\n", StandardCharsets.UTF_8);

        WebhookSecrets secrets = WebhookSecrets.load(Map.of("SYNCER_WEBHOOK_SECRET_GITHUB_COM", "from-env"), file);

        assertThat(text(secrets, "github.com")).containsExactly("from-env");
        assertThat(text(secrets, "gitlab.internal")).containsExactly("file-only");
        assertThat(secrets.forHost("bitbucket")).isEmpty();
        assertThat(secrets.configured()).isEqualTo(3);
    }

    @Test
    void twoSecretsSeparatedBySpaceAreBothValidWhileRotating() {
        WebhookSecrets secrets = WebhookSecrets.load(Map.of("SYNCER_WEBHOOK_SECRET_GITHUB_COM", "  new-one   old-one "), null);

        assertThat(text(secrets, "github.com")).containsExactly("new-one", "old-one");
    }

    @Test
    void threeSecretsAreRefusedNamingTheVariableButNeverTheValues() {
        assertThatThrownBy(() -> WebhookSecrets.load(Map.of("SYNCER_WEBHOOK_SECRET_GITHUB_COM", "s3cr3t-a s3cr3t-b s3cr3t-c"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SYNCER_WEBHOOK_SECRET_GITHUB_COM holds 3 webhook secrets")
                .message().doesNotContain("s3cr3t");
    }

    @Test
    void anUnreadableFileIsAClearError() {
        assertThatThrownBy(() -> WebhookSecrets.load(Map.of(), dir.resolve("missing")))
                .hasMessageContaining("cannot read the webhook secrets file");
    }

    @Test
    void aSecretNeverShowsInText() {
        WebhookSecrets secrets = WebhookSecrets.of(Map.of("github.com", "s3cr3t"));

        assertThat(secrets.forHost("github.com").orElseThrow().toString()).doesNotContain("s3cr3t");
        assertThat(secrets.toString()).doesNotContain("s3cr3t");
    }

    private static List<String> text(WebhookSecrets secrets, String host) {
        return secrets.forHost(host).orElseThrow().stream().map(s -> new String(s.bytes(), StandardCharsets.UTF_8)).toList();
    }
}
