package dev.changesetsyncer.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Throughput around a fault, from the once-a-second samples of the host's sync count. */
class FaultOutcomeTest {
    @Test
    void aDipIsRecoveredFromWhenAFiveSecondWindowRunsAtNinetyPercentOfTheRateBefore() {
        Timeline timeline = new Timeline();
        long syncs = 0;
        for (int t = -20; t <= 60; t++) {
            // 50/s, nothing for 6 s after the fault at 0 (Postgres restarting), then 50/s again
            syncs += t > 0 && t <= 6 ? 0 : 50;
            timeline.add(new Timeline.Sample(t, syncs, t > 0 && t <= 6 ? t : 0.1, 2));
        }

        FaultOutcome outcome = FaultOutcome.of(new Fault(0, "pg-restart", "restart", 6), timeline);

        assertThat(outcome.before()).isEqualTo(50);
        assertThat(outcome.during()).isLessThan(25);
        assertThat(outcome.after()).isEqualTo(50);
        assertThat(outcome.recoverySeconds()).isEqualTo(6.0);
        assertThat(outcome.longestWaitSeconds()).isEqualTo(6);
    }

    @Test
    void withoutSamplesBeforeTheFaultThereIsNoRecoveryToMeasure() {
        Timeline timeline = new Timeline();
        for (int t = 0; t <= 30; t++) {
            timeline.add(new Timeline.Sample(t, 50L * t, 0, 2));
        }

        FaultOutcome outcome = FaultOutcome.of(new Fault(0, "kill", "r1", 0), timeline);

        assertThat(outcome.before()).isNaN();
        assertThat(outcome.recoverySeconds()).isNull();
    }
}
