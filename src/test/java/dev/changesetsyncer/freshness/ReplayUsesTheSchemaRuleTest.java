package dev.changesetsyncer.freshness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The replay decides every sync by calling the schema's function by name (it re-implements nothing), and its
 * accounting agrees with every_2_min's closed form when the rule is "every two minutes".
 */
@ExtendWith(PostgresExtension.class)
class ReplayUsesTheSchemaRuleTest {
    final TestDatabase database;

    ReplayUsesTheSchemaRuleTest(TestDatabase database) {
        this.database = database;
    }

    @Test
    void aReplayedEveryTwoMinutesRuleCountsExactlyWhatTheClosedFormCounts() throws SQLException {
        database.execute("""
                CREATE OR REPLACE FUNCTION freshness_test_every_two_minutes(last_attempt_at timestamptz)
                    RETURNS timestamptz LANGUAGE sql STABLE
                RETURN last_attempt_at + interval '2 minutes'""");
        SimulationPlan plan = new SimulationPlan(300, 1, 9, Population.DEFAULTS, List.of(0.0, 1.0), List.of(
                new Strategy.EveryTwoMinutes(),
                new Strategy.Rule("replayed", "freshness_test_every_two_minutes", Map.of(), 0)));

        Simulation.Results results = Simulation.run(database.dataSource(), plan, line -> {});

        RunResult closedForm = results.runs().get(0);
        for (RunResult replayed : results.runs().subList(2, 4)) {
            for (String label : closedForm.byClass().keySet()) {
                ClassFigures expected = closedForm.byClass().get(label);
                ClassFigures actual = replayed.byClass().get(label);
                assertThat(actual.calls()).as(label + " at webhook share " + replayed.webhookShare())
                        .isEqualTo(expected.calls());
                assertThat(actual.staleness().p50()).isCloseTo(expected.staleness().p50(), within(1e-3));
                assertThat(actual.staleness().p95()).isCloseTo(expected.staleness().p95(), within(1e-3));
                assertThat(actual.staleness().max()).isCloseTo(expected.staleness().max(), within(1e-3));
            }
        }
        assertThat(closedForm.all().calls().attempts()).isEqualTo(300 * 720);
    }

    @Test
    void theDefaultsStrategyAsksTheFunctionOfThatNameWhateverItSays() throws SQLException {
        // stand in for the real rule: a function of the same name that syncs every hour, whatever happens
        database.execute("ALTER FUNCTION changeset_next_sync_at RENAME TO real_changeset_next_sync_at");
        try {
            database.execute("""
                    CREATE FUNCTION changeset_next_sync_at(last_attempt_at timestamptz)
                        RETURNS timestamptz LANGUAGE sql STABLE
                    RETURN last_attempt_at + interval '1 hour'""");
            SimulationPlan plan = new SimulationPlan(200, 1, 3, Population.DEFAULTS, List.of(0.0, 1.0),
                    List.of(Strategy.defaults(0)));

            Simulation.Results results = Simulation.run(database.dataSource(), plan, line -> {});

            assertThat(results.runs()).allSatisfy(run -> {
                assertThat(run.rule()).startsWith("changeset_next_sync_at");
                assertThat(run.all().calls().attempts()).isEqualTo(200 * 24);
            });
        } finally {
            database.execute("DROP FUNCTION IF EXISTS changeset_next_sync_at(timestamptz)");
            database.execute("ALTER FUNCTION real_changeset_next_sync_at RENAME TO changeset_next_sync_at");
        }
    }

    @Test
    void codeHostSettingsReachTheRule() throws SQLException {
        SimulationPlan plan = new SimulationPlan(300, 2, 5, Population.DEFAULTS, List.of(0.0), List.of(
                Strategy.candidate("hourly", Map.of("min_sync_delay", "1 hour", "max_sync_delay", "1 hour",
                        "checks_pending_max_delay", "1 hour", "finished_max_delay", "1 hour"), 0)));

        Simulation.Results results = Simulation.run(database.dataSource(), plan, line -> {});

        RunResult run = results.runs().getFirst();
        assertThat(run.rule()).contains("min_delay = 01:00:00").contains("finished_max_delay = 01:00:00");
        // a changeset that never changes is synced every hour exactly; changes only ever postpone a sync
        double finishedPerDay = Figures.of(run, ChangesetClass.FINISHED.label(), true, 2).syncsPerChangesetDay();
        assertThat(finishedPerDay).isCloseTo(24, within(0.5));
        assertThat(run.all().calls().attempts()).isLessThanOrEqualTo(300 * 48);
    }
}
