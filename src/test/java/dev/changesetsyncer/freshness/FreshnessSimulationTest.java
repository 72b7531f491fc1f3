package dev.changesetsyncer.freshness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A small simulation (2,000 changesets, 2 days) on a real Postgres with the schema's rule functions, and the
 * relations its figures must keep whatever the exact numbers: the reasons this project exists.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FreshnessSimulationTest {
    static final SimulationPlan PLAN = new SimulationPlan(2_000, 2, 42, Population.DEFAULTS, List.of(0.0, 1.0),
            List.of(new Strategy.EveryTwoMinutes(), Strategy.design(), Strategy.defaults(0.005),
                    Strategy.candidate("defaults_without_failures", java.util.Map.of(), 0)));

    final Simulation.Results results;

    FreshnessSimulationTest(TestDatabase database) throws SQLException {
        this.results = Simulation.run(database.dataSource(), PLAN, line -> {});
    }

    Figures figures(String strategy, boolean conditionalRequests, double webhookShare) {
        return Figures.forAll(results).stream()
                .filter(f -> f.strategy().equals(strategy) && f.conditionalRequests() == conditionalRequests
                        && f.webhookShare() == webhookShare)
                .findFirst().orElseThrow();
    }

    Figures byClass(String strategy, ChangesetClass type, double webhookShare) {
        RunResult run = results.runs().stream()
                .filter(r -> r.strategy().equals(strategy) && r.webhookShare() == webhookShare).findFirst().orElseThrow();
        return Figures.of(run, type.label(), true, PLAN.days());
    }

    @Test
    void syncingEverythingEveryTwoMinutesCostsFarMoreCallsThanTheDesign() {
        for (boolean conditional : new boolean[] {false, true}) {
            assertThat(figures("every_2_min", conditional, 0).billablePerChangesetDay())
                    .isGreaterThan(figures("design", conditional, 0).billablePerChangesetDay());
        }
        assertThat(figures("every_2_min", false, 0).billablePerChangesetDay())
                .isGreaterThan(100 * figures("design", false, 0).billablePerChangesetDay());
    }

    @Test
    void everyTwoMinutesIsSevenHundredTwentySyncsADayAndNoChangeWaitsLongerThanTwoMinutes() {
        Figures every = figures("every_2_min", false, 0);

        assertThat(every.syncsPerChangesetDay()).isCloseTo(720, within(1.0));
        assertThat(every.staleness().max()).isLessThanOrEqualTo(120);
        assertThat(every.staleness().p50()).isCloseTo(60, within(10.0));
    }

    @Test
    void conditionalRequestsLowerTheBillableCallsOfEveryStrategy() {
        for (String strategy : List.of("every_2_min", "design", "defaults")) {
            for (double share : PLAN.webhookShares()) {
                Figures with = figures(strategy, true, share);
                Figures without = figures(strategy, false, share);
                assertThat(with.billablePerChangesetDay()).as(strategy).isLessThan(without.billablePerChangesetDay());
                assertThat(with.conditionalPerChangesetDay()).as(strategy).isPositive();
                assertThat(without.conditionalPerChangesetDay()).as(strategy).isZero();
            }
        }
    }

    @Test
    void webhooksLowerStaleness() {
        for (String strategy : List.of("design", "defaults")) {
            Staleness polled = figures(strategy, true, 0).staleness();
            Staleness pushed = figures(strategy, true, 1).staleness();
            assertThat(pushed.p50()).as(strategy).isLessThan(polled.p50());
            assertThat(pushed.p95()).as(strategy).isLessThan(polled.p95());
        }
    }

    @Test
    void stateAwareCapsSyncFinishedChangesetsLessOftenThanTheDesign() {
        assertThat(byClass("defaults", ChangesetClass.FINISHED, 0).syncsPerChangesetDay())
                .isLessThan(byClass("design", ChangesetClass.FINISHED, 0).syncsPerChangesetDay());
    }

    @Test
    void everyChangeOnTheHostReachesTheMirror() {
        assertThat(results.changes().get(RunResult.ALL)).isGreaterThan(1_000);
        assertThat(results.runs()).allSatisfy(run -> {
            assertThat(run.all().staleness().unsynced()).as(run.strategy()).isZero();
            assertThat(run.all().staleness().changes()).isEqualTo(results.changes().get(RunResult.ALL));
        });
    }

    @Test
    void activeChangesetsCostMostPerChangesetAndFinishedOnesLeast() {
        Figures active = byClass("design", ChangesetClass.ACTIVE, 0);
        Figures finished = byClass("design", ChangesetClass.FINISHED, 0);

        assertThat(active.billablePerChangesetDay()).isGreaterThan(10 * finished.billablePerChangesetDay());
        assertThat(active.syncsPerChangesetDay()).isGreaterThan(finished.syncsPerChangesetDay());
    }

    /**
     * The first target for the defaults: at most half of the design's billable calls, at a staleness p95
     * no worse than the design's (with every change by webhook: the same within a second). The design models no failed attempts, so its staleness is compared with the
     * defaults' without them (a failed attempt retried 2 minutes later is the price of failures, not of the
     * schedule). With no webhooks, counted without conditional requests; with every change by webhook the syncs
     * the webhooks ask for are the same for both, and the defaults save half on hourly app tokens (with
     * conditional requests the calls that remain pay for the changes themselves, whatever the schedule).
     */
    @Test
    void theDefaultsBillAtMostHalfTheDesignsCallsAtNoWorseStaleness() {
        assertThat(figures("defaults", false, 0).billablePerChangesetDay())
                .isLessThanOrEqualTo(0.5 * figures("design", false, 0).billablePerChangesetDay());
        assertThat(figures("defaults", true, 1).billablePerChangesetDayAppToken())
                .isLessThanOrEqualTo(0.5 * figures("design", true, 1).billablePerChangesetDayAppToken());
        assertThat(figures("defaults_without_failures", true, 0).staleness().p95())
                .isLessThanOrEqualTo(figures("design", true, 0).staleness().p95());
        // with every change by webhook both are due min after the last sync: the same within a second (the defaults
        // poll more while checks run, and a change right after a poll waits min after it)
        assertThat(figures("defaults_without_failures", true, 1).staleness().p95())
                .isLessThanOrEqualTo(figures("design", true, 1).staleness().p95() + 1);
    }

    /** The second target: with every change delivered by webhook, staleness p95 within min_sync_delay + 10 s. */
    @Test
    void withEveryChangeByWebhookTheDefaultsP95IsWithinMinPlusTenSeconds() {
        double minSeconds = ScheduleSettings.DEFAULTS.minSyncDelay().toSeconds();
        assertThat(figures("defaults", true, 1).staleness().p95()).isLessThanOrEqualTo(minSeconds + 10);
        assertThat(figures("design", true, 1).staleness().p95()).as("the rule as designed too")
                .isLessThanOrEqualTo(minSeconds + 10);
    }

    @Test
    void failuresOccurAtTheirRateOnlyWhereTheStrategyHasThem() {
        assertThat(figures("design", true, 0).failedShare()).isZero();
        assertThat(figures("defaults", true, 0).failedShare()).isCloseTo(0.005, within(0.004));
    }
}
