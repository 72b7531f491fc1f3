package dev.changesetsyncer.catalog;

import static java.time.Duration.ofDays;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.db.SchemaViolation;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad settings are refused by named constraints, with messages that say which rule, and nothing is written. */
@ExtendWith(PostgresExtension.class)
class CodeHostSettingsTest {
    final TestDatabase database;
    final CatalogStore store;
    final Catalog catalog;

    CodeHostSettingsTest(TestDatabase database) {
        this.database = database;
        this.store = new CatalogStore(database.dsl());
        this.catalog = new Catalog(database);
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of("min above max", settings(ofHours(9), ofHours(8), ofHours(8), ofHours(24)),
                        "code_hosts_min_sync_delay_at_most_max"),
                Arguments.of("negative min", settings(ofMinutes(-2), ofHours(8), ofMinutes(5), ofHours(24)),
                        "code_hosts_min_sync_delay_positive"),
                Arguments.of("zero min", settings(Duration.ZERO, ofHours(8), ofMinutes(5), ofHours(24)),
                        "code_hosts_min_sync_delay_positive"),
                Arguments.of("max over a year", settings(ofMinutes(2), ofDays(400), ofMinutes(5), ofHours(24)),
                        "code_hosts_max_sync_delay_at_most_a_year"),
                Arguments.of("checks cap above max", settings(ofMinutes(2), ofHours(1), ofHours(2), ofHours(24)),
                        "code_hosts_checks_pending_max_delay_between_min_and_max"),
                Arguments.of("checks cap below min", settings(ofMinutes(2), ofHours(8), ofMinutes(1), ofHours(24)),
                        "code_hosts_checks_pending_max_delay_between_min_and_max"),
                Arguments.of("finished cap below min", settings(ofMinutes(2), ofHours(8), ofMinutes(5), ofMinutes(1)),
                        "code_hosts_finished_max_delay_between_min_and_a_year"));
    }

    static ScheduleSettings settings(Duration min, Duration max, Duration checks, Duration finished) {
        return new ScheduleSettings(min, max, checks, finished);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void aNewHostWithInvalidSettingsIsRejected(String what, ScheduleSettings settings, String constraint) {
        String name = "invalid-" + constraint + "-" + settings.hashCode();
        assertThatThrownBy(() -> store.createCodeHost(name, CodeHostKind.GITHUB, "https://github.example", settings))
                .isInstanceOfSatisfying(SchemaViolation.class, violation -> {
                    assertThat(violation.kind()).isEqualTo(SchemaViolation.Kind.CHECK);
                    assertThat(violation.constraint()).isEqualTo(constraint);
                    assertThat(violation.getMessage()).contains(constraint);
                });
        assertThat(store.findCodeHost(name)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void invalidNewSettingsLeaveTheOldOnesInPlace(String what, ScheduleSettings settings, String constraint) {
        CodeHost host = catalog.host();

        assertThatThrownBy(() -> store.updateSettings(host.id(), settings))
                .isInstanceOfSatisfying(SchemaViolation.class, v -> assertThat(v.constraint()).isEqualTo(constraint));
        assertThat(database.value(String.class, "SELECT min_sync_delay::text FROM code_hosts WHERE id = " + host.id()))
                .isEqualTo("00:02:00");
    }

    @Test
    void defaultsAreTwoMinutesFiveHoursFiveMinutesWhileChecksRunSevenDaysWhenFinishedAndNoQuietPeriod() {
        database.execute("INSERT INTO code_hosts (name, kind, base_url) VALUES ('defaults', 'gitlab', 'https://gitlab.com')");

        assertThat(database.value(String.class, """
                SELECT concat_ws(' ', min_sync_delay, max_sync_delay, checks_pending_max_delay, finished_max_delay,
                                 event_quiet_period)
                  FROM code_hosts WHERE name = 'defaults'""")).isEqualTo("00:02:00 05:00:00 00:05:00 7 days 00:00:00");
        assertThat(database.value(Boolean.class, """
                SELECT (min_sync_delay, max_sync_delay, checks_pending_max_delay, finished_max_delay)
                       = (interval '%d seconds', interval '%d seconds', interval '%d seconds', interval '%d seconds')
                  FROM code_hosts WHERE name = 'defaults'""".formatted(ScheduleSettings.DEFAULTS.minSyncDelay().toSeconds(),
                ScheduleSettings.DEFAULTS.maxSyncDelay().toSeconds(), ScheduleSettings.DEFAULTS.checksPendingMaxDelay().toSeconds(),
                ScheduleSettings.DEFAULTS.finishedMaxDelay().toSeconds()))).as("ScheduleSettings.DEFAULTS are the columns'").isTrue();
    }

    @Test
    void aDuplicateNameOrABadUrlIsRejected() {
        CodeHost host = catalog.host();
        assertThatThrownBy(() -> store.createCodeHost(host.name(), CodeHostKind.GITLAB, "https://gitlab.com",
                        ScheduleSettings.DEFAULTS))
                .isInstanceOfSatisfying(SchemaViolation.class, v -> {
                    assertThat(v.kind()).isEqualTo(SchemaViolation.Kind.UNIQUE);
                    assertThat(v.constraint()).isEqualTo("code_hosts_name_unique");
                });
        assertThatThrownBy(() -> store.createCodeHost("no-scheme", CodeHostKind.GITLAB, "gitlab.com",
                        ScheduleSettings.DEFAULTS))
                .isInstanceOfSatisfying(SchemaViolation.class,
                        v -> assertThat(v.constraint()).isEqualTo("code_hosts_base_url_is_http"));
    }

    @Test
    void aPlainHttpUrlOffLoopbackOrAUrlWithCredentialsIsRejectedTheTokenWouldGoThere() {
        assertThatThrownBy(() -> store.createCodeHost("plain", CodeHostKind.GITHUB, "http://ghe.internal/api/v3",
                        ScheduleSettings.DEFAULTS))
                .isInstanceOfSatisfying(SchemaViolation.class,
                        v -> assertThat(v.constraint()).isEqualTo("code_hosts_base_url_http_only_on_loopback"));
        assertThatThrownBy(() -> store.createCodeHost("credentials", CodeHostKind.GITLAB, "https://bot:secret@gitlab.example",
                        ScheduleSettings.DEFAULTS))
                .isInstanceOfSatisfying(SchemaViolation.class, v -> {
                    assertThat(v.constraint()).isEqualTo("code_hosts_base_url_without_credentials");
                    assertThat(v.getMessage()).contains("https://bot:***@gitlab.example").doesNotContain("secret");
                });
        store.createCodeHost("local", CodeHostKind.GITHUB, "http://127.0.0.1:8080", ScheduleSettings.DEFAULTS);
        store.createCodeHost("local-name", CodeHostKind.GITLAB, "http://localhost:9000/gitlab", ScheduleSettings.DEFAULTS);
        store.createCodeHost("simulated-anywhere", CodeHostKind.SIMULATED, "http://simulated.test", ScheduleSettings.DEFAULTS);
    }

    @Test
    void aRepositoryOnAnUnknownHostIsRejected() {
        assertThatThrownBy(() -> store.createRepo(424242, "1", "org/x"))
                .isInstanceOfSatisfying(SchemaViolation.class, v -> {
                    assertThat(v.kind()).isEqualTo(SchemaViolation.Kind.FOREIGN_KEY);
                    assertThat(v.constraint()).isEqualTo("repos_code_host_fk");
                });
    }
}
