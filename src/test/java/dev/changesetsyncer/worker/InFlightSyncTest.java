package dev.changesetsyncer.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.worker.HeldClaim.State;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** An in-flight sync's states: RUNNING → WRITING | LOST, WRITING → LOST, each change won by exactly one caller. */
class InFlightSyncTest {
    @Test
    void aSyncHandsItsResultOverAndCanStillBeLostAfterwardsWithoutBeingInterrupted() {
        InFlightSync sync = new InFlightSync(claim(1), 0);
        assertThat(sync.begin()).isTrue();

        assertThat(sync.handOver()).isTrue();
        assertThat(sync.state()).isEqualTo(State.WRITING);
        assertThat(sync.lose()).isEqualTo(State.WRITING);

        assertThat(sync.state()).isEqualTo(State.LOST);
        assertThat(Thread.interrupted()).as("a result with the writer is not cancelled").isFalse();
        assertThat(sync.lose()).as("already lost").isEqualTo(State.LOST);
    }

    @Test
    void aSyncLostWhileRunningCannotHandItsResultOver() {
        InFlightSync sync = new InFlightSync(claim(1), 0);

        assertThat(sync.lose()).isEqualTo(State.RUNNING);

        assertThat(sync.begin()).as("lost before it started").isFalse();
        assertThat(sync.handOver()).isFalse();
        assertThat(sync.state()).isEqualTo(State.LOST);
    }

    @Test
    void losingARunningSyncInterruptsItsThread() throws Exception {
        InFlightSync sync = new InFlightSync(claim(1), 0);
        CountDownLatch begun = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread fetching = Thread.ofVirtual().start(() -> {
            sync.begin();
            begun.countDown();
            try {
                new CountDownLatch(1).await(1, TimeUnit.MINUTES); // a fetch that would hang
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        begun.await();

        sync.lose();
        fetching.join(10_000);

        assertThat(interrupted).isTrue();
    }

    @Test
    void whenHandingOverAndLosingRaceExactlyOneWins() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            InFlightSync sync = new InFlightSync(claim(round), 0);
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicReference<Boolean> handedOver = new AtomicReference<>();
            AtomicReference<State> lostFrom = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                await(start);
                handedOver.set(sync.handOver());
            });
            Thread keeper = Thread.ofPlatform().start(() -> {
                await(start);
                lostFrom.set(sync.lose());
            });
            writer.join();
            keeper.join();

            assertThat(sync.state()).isEqualTo(State.LOST);
            if (handedOver.get()) {
                assertThat(lostFrom.get()).as("round %d", round).isEqualTo(State.WRITING);
            } else {
                assertThat(lostFrom.get()).as("round %d", round).isEqualTo(State.RUNNING);
            }
        }
    }

    static Claim claim(long id) {
        SyncTarget target = new SyncTarget(id, 1, "host", CodeHostKind.SIMULATED, "https://sim.test", "1", "org/repo",
                Long.toString(id), Map.of(), null, null, null, false);
        return new Claim(new ClaimRef(id, 100 + id), Instant.EPOCH, Instant.EPOCH.plusSeconds(60), 0, 0, null, target, null);
    }

    static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
