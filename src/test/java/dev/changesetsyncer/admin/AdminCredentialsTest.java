package dev.changesetsyncer.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Admin credentials from the environment, and the signed sessions they key. */
class AdminCredentialsTest {
    static final String PASSWORD = "a long enough password";

    @Test
    void nothingSetMeansThePageIsOffAndBlankCountsAsUnset() {
        assertThat(AdminCredentials.fromEnvironment(Map.of()).enabled()).isFalse();
        assertThat(AdminCredentials.fromEnvironment(Map.of("SYNCER_ADMIN_TOKEN", "  ")).enabled()).isFalse();
    }

    @Test
    void aUserNeedsAPasswordAndNoSecretIsShort() {
        assertThatThrownBy(() -> AdminCredentials.fromEnvironment(Map.of("SYNCER_ADMIN_USER", "ops")))
                .hasMessageContaining("SYNCER_ADMIN_PASSWORD is not").hasMessageContaining("no default password");
        assertThatThrownBy(() -> AdminCredentials.fromEnvironment(Map.of("SYNCER_ADMIN_PASSWORD", PASSWORD)))
                .hasMessageContaining("SYNCER_ADMIN_USER is not");
        assertThatThrownBy(() -> AdminCredentials.fromEnvironment(Map.of("SYNCER_ADMIN_TOKEN", "short")))
                .hasMessageContaining("at least 12 characters").hasMessageNotContaining("short");
    }

    @Test
    void onlyTheRightPairOrTokenMatches() {
        AdminCredentials credentials = AdminCredentials.of("the-admin-token-123", "ops", PASSWORD);
        assertThat(credentials.passwordMatches("ops", PASSWORD)).isTrue();
        assertThat(credentials.passwordMatches("ops2", PASSWORD)).isFalse();
        assertThat(credentials.passwordMatches("ops", PASSWORD + "x")).isFalse();
        assertThat(credentials.passwordMatches(null, null)).isFalse();
        assertThat(credentials.tokenMatches("the-admin-token-123")).isTrue();
        assertThat(credentials.tokenMatches(PASSWORD)).isFalse();
        assertThat(AdminCredentials.of(null, "ops", PASSWORD).tokenMatches("")).isFalse();
        assertThat(credentials.toString()).doesNotContain(PASSWORD, "the-admin-token-123");
    }

    @Test
    void aSessionIsSignedExpiresAndEndsWhenTheCredentialsChange() {
        AdminCredentials credentials = AdminCredentials.of(null, "ops", PASSWORD);
        Instant now = Instant.parse("2026-12-07T03:00:00Z");
        AdminSessions sessions = new AdminSessions(credentials, Clock.fixed(now, ZoneOffset.UTC));
        AdminSessions.Session session = sessions.open("ops");

        assertThat(sessions.read(session.cookie())).contains(session);
        assertThat(sessions.read(session.cookie().replaceFirst("^[^.]+", "YWRtaW4"))).as("another name").isEmpty();
        assertThat(sessions.read(session.cookie() + "x")).isEmpty();
        assertThat(new AdminSessions(credentials, Clock.fixed(now.plus(AdminSessions.LIFETIME).plusSeconds(1), ZoneOffset.UTC))
                .read(session.cookie())).as("expired").isEmpty();
        assertThat(new AdminSessions(AdminCredentials.of(null, "ops", PASSWORD + "!"), Clock.fixed(now, ZoneOffset.UTC))
                .read(session.cookie())).as("after a password change").isEmpty();

        assertThat(sessions.csrfMatches(session, sessions.csrfToken(session))).isTrue();
        assertThat(sessions.csrfMatches(session, sessions.csrfToken(sessions.open("other")))).isFalse();
        assertThat(sessions.csrfMatches(session, null)).isFalse();
    }
}
