package dev.changesetsyncer.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** With several code hosts, a host running syncs in three quarters of the slots is left out of the next claims. */
class HostSharesTest {
    final HostShares shares = new HostShares(8); // a share is 6 slots

    @Test
    void aSingleHostMayUseEverySlot() {
        startSyncs(1, 8);

        assertThat(shares.saturated()).isEmpty();
    }

    @Test
    void withSeveralHostsOneAtItsShareIsLeftOutUntilASyncEnds() {
        shares.severalHosts(true);
        startSyncs(1, 6);
        startSyncs(2, 1);

        assertThat(shares.saturated()).containsExactly(1L);

        shares.ended(1);
        assertThat(shares.saturated()).isEmpty();
    }

    void startSyncs(long codeHostId, int count) {
        for (int i = 0; i < count; i++) {
            shares.started(codeHostId);
        }
    }
}
