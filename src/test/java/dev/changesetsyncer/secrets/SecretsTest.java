package dev.changesetsyncer.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secrets masked wherever they appear; control characters made visible. */
class SecretsTest {
    @Test
    void aRegisteredSecretIsMaskedWhereverItAppearsAndSoIsItsUrlEncodedForm() {
        Secrets.register("tok/en+with=odd&chars");

        assertThat(Secrets.scrub("Authorization: Bearer tok/en+with=odd&chars, again tok/en+with=odd&chars"))
                .isEqualTo("Authorization: Bearer ***, again ***");
        assertThat(Secrets.scrub("GET /x?access_token=tok%2Fen%2Bwith%3Dodd%26chars")).isEqualTo("GET /x?access_token=***");
    }

    @Test
    void theAdminAndMetricsCredentialsTokensAndWebhookSecretsAreMaskedByTheirVariablesNames() {
        Secrets.registerEnvironment(Map.of(
                "SYNCER_ADMIN_TOKEN", "admin-token-value",
                "SYNCER_ADMIN_PASSWORD", "admin-password-value",
                "SYNCER_METRICS_TOKEN", "metrics-token-value",
                "SYNCER_TOKEN_GHE", "ghe-token-value",
                "SYNCER_WEBHOOK_SECRET_GHE", "new-hook-secret old-hook-secret",
                "SYNCER_HTTP_PORT", "8080"));

        assertThat(Secrets.scrub("admin-token-value admin-password-value metrics-token-value ghe-token-value 8080"))
                .isEqualTo("*** *** *** *** 8080");
        assertThat(Secrets.scrub("rotating: old-hook-secret, new-hook-secret")).as("each of two rotating secrets")
                .isEqualTo("rotating: ***, ***");
    }

    @Test
    void tooShortAValueIsNotMaskedItWouldMaskOrdinaryText() {
        Secrets.register("abc");

        assertThat(Secrets.scrub("abc is not a secret")).isEqualTo("abc is not a secret");
    }

    @Test
    void controlCharactersAndDirectionOverridesAreShownEscapedAndLineBreaksBecomeSpaces() {
        assertThat(SafeText.of("red\u001b[31m\u0007 line\nbreak\ttab \u202Eevil\u0000"))
                .isEqualTo("red\\x1B[31m\\x07 line break tab \\u202Eevil\\x00");
        assertThat(SafeText.multiline("at a\n\tat b\u001b")).isEqualTo("at a\n\tat b\\x1B");
        assertThat(SafeText.of("plain text, ünïcödé and emoji \uD83D\uDE00")).isEqualTo("plain text, ünïcödé and emoji \uD83D\uDE00");
        assertThat(SafeText.of(null)).isNull();
    }
}
