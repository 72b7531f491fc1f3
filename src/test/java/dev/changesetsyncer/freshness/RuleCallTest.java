package dev.changesetsyncer.freshness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rule function is called with named arguments bound from its own parameter list: schedule inputs from the
 * replay's state, settings from the strategy's code_hosts row, anything else left to its default. So the rule
 * may gain a setting (with a default, or a code_hosts column of the same name) without a change here.
 */
@ExtendWith(PostgresExtension.class)
class RuleCallTest {
    final TestDatabase database;

    RuleCallTest(TestDatabase database) {
        this.database = database;
    }

    @Test
    void theRealRulesAreBoundAsTheTriggerCallsThem() throws SQLException {
        try (Connection connection = database.dataSource().getConnection()) {
            RuleCall design = RuleCall.bind(connection, "sync_quiet_time_next_at",
                    StrategyHost.create(connection, Strategy.design()));
            RuleCall defaults = RuleCall.bind(connection, "changeset_next_sync_at",
                    StrategyHost.create(connection, Strategy.defaults(0)));

            assertThat(design.render("s")).startsWith("sync_quiet_time_next_at(")
                    .contains("last_synced_at => s.last_synced_at", "external_updated_at => s.synced_updated_at",
                            "latest_event_at => s.latest_event_at", "min_delay => '00:02:00'::interval",
                            "max_delay => '08:00:00'::interval");
            assertThat(defaults.render("x")).contains("changeset_id => x.changeset_id", "cadence => x.cadence",
                    "failures => x.failures", "checks_pending_max_delay => ");
            assertThat(database.value(Boolean.class, "SELECT " + design.render("s") + " = timestamptz '2026-03-02 10:05Z' "
                    + "FROM (SELECT timestamptz '2026-03-02 10:00Z' AS last_synced_at, "
                    + "timestamptz '2026-03-02 09:55Z' AS synced_updated_at, NULL::timestamptz AS latest_event_at) s"))
                    .as("the design's example: quiet for 5 min at the sync, so it waits 5 min").isTrue();
        }
    }

    @Test
    void aNewSettingIsTakenFromItsCodeHostsColumnAndAnUnknownOneKeepsItsDefault() throws SQLException {
        database.execute("ALTER TABLE code_hosts ADD COLUMN freshness_test_setting interval NOT NULL DEFAULT '30 seconds'");
        database.execute("""
                CREATE FUNCTION freshness_test_rule(last_synced_at timestamptz, min_delay interval,
                        freshness_test_setting interval DEFAULT '0', something_else integer DEFAULT 7)
                    RETURNS timestamptz LANGUAGE sql STABLE
                RETURN last_synced_at + min_delay + freshness_test_setting""");
        try (Connection connection = database.dataSource().getConnection()) {
            Strategy.Rule rule = new Strategy.Rule("quiet", "freshness_test_rule", Map.of(), 0);

            RuleCall call = RuleCall.bind(connection, rule.function(), StrategyHost.create(connection, rule));

            assertThat(call.render("s")).isEqualTo("freshness_test_rule(last_synced_at => s.last_synced_at, "
                    + "min_delay => '00:02:00'::interval, freshness_test_setting => '00:00:30'::interval)");
            assertThat(call.describe()).contains("freshness_test_setting = 00:00:30", "something_else = its default");
        }
    }

    @Test
    void aParameterNothingCanFillIsRefusedByName() throws SQLException {
        database.execute("""
                CREATE FUNCTION freshness_test_mystery(last_synced_at timestamptz, mystery interval)
                    RETURNS timestamptz LANGUAGE sql STABLE
                RETURN last_synced_at + mystery""");
        try (Connection connection = database.dataSource().getConnection()) {
            Strategy.Rule rule = new Strategy.Rule("mystery", "freshness_test_mystery", Map.of(), 0);
            Map<String, StrategyHost.Column> host = StrategyHost.create(connection, rule);

            assertThatThrownBy(() -> RuleCall.bind(connection, rule.function(), host))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("freshness_test_mystery() has a parameter mystery");
            assertThatThrownBy(() -> RuleCall.bind(connection, "no_such_rule", host))
                    .hasMessageContaining("no function no_such_rule()");
        }
    }

    @Test
    void settingsTheSchemaRefusesAreReportedWithTheStrategy() throws SQLException {
        try (Connection connection = database.dataSource().getConnection()) {
            Strategy.Rule tooLong = Strategy.candidate("too_long", Map.of("max_sync_delay", "400 days"), 0);
            Strategy.Rule noSuch = Strategy.candidate("no_such", Map.of("colour", "blue"), 0);

            assertThatThrownBy(() -> StrategyHost.create(connection, tooLong))
                    .hasMessageContaining("strategy too_long: the settings {max_sync_delay=400 days} are refused")
                    .hasMessageContaining("code_hosts_max_sync_delay_at_most_a_year");
            assertThatThrownBy(() -> StrategyHost.create(connection, noSuch))
                    .hasMessageContaining("code_hosts has no setting colour");
        }
    }
}
