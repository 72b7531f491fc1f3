package dev.changesetsyncer.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A changeset is owed a sync from when it became due until a sample no longer finds it owed. */
class WaitTrackerTest {
    static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
    final WaitTracker waits = new WaitTracker(Duration.ofSeconds(30));

    @Test
    void aChangesetOwedLongerThanTheThresholdIsLostOnce() {
        waits.observe(sample(T.plusSeconds(10), owed(1, T), owed(2, T.plusSeconds(9))), true);
        waits.observe(sample(T.plusSeconds(31), owed(1, T), owed(2, T.plusSeconds(9))), true);
        waits.observe(sample(T.plusSeconds(40), owed(1, T)), true);

        assertThat(waits.lost()).as("changeset 1 only; 2 was served after 22 s at most").isEqualTo(1);
        assertThat(waits.lostExamples()).singleElement().asString().startsWith("changeset 1 ");
        assertThat(waits.longestEver()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void theWaitCountsFromTheFirstDueTimeSeenEvenWhenTheSweepMovesItLater() {
        waits.observe(sample(T.plusSeconds(5), owed(1, T)), true);
        // swept after its lease expired: its retry time (by backoff) is later than when it first became due
        waits.observe(sample(T.plusSeconds(35), owed(1, T.plusSeconds(34))), true);

        assertThat(waits.lost()).isEqualTo(1);
        assertThat(waits.longestNow()).isEqualTo(Duration.ofSeconds(35));
    }

    @Test
    void waitsDuringTheWarmUpAreMeasuredButNotLost() {
        waits.observe(sample(T.plusSeconds(45), owed(1, T)), false);

        assertThat(waits.lost()).isZero();
        assertThat(waits.longestNow()).isEqualTo(Duration.ofSeconds(45));
        assertThat(waits.longestEver()).isZero();
    }

    @Test
    void aServedChangesetThatBecomesDueAgainStartsAFreshWait() {
        waits.observe(sample(T.plusSeconds(25), owed(1, T)), true);
        waits.observe(sample(T.plusSeconds(26)), true);
        waits.observe(sample(T.plusSeconds(60), owed(1, T.plusSeconds(55))), true);

        assertThat(waits.lost()).isZero();
        assertThat(waits.longestNow()).isEqualTo(Duration.ofSeconds(5));
    }

    private static SoakDatabase.Owed owed(long id, Instant since) {
        return new SoakDatabase.Owed(id, since);
    }

    private static SoakDatabase.OwedSample sample(Instant now, SoakDatabase.Owed... owed) {
        return new SoakDatabase.OwedSample(now, List.of(owed));
    }
}
