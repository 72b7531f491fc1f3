package dev.changesetsyncer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** Several replicas in one process (the demo) share one /metrics and still count apart. */
class ReplicaMeterViewTest {
    final PrometheusMeterRegistry shared = MeterRegistries.prometheus();

    @Test
    void eachReplicasSyncerMetersCarryItsWorkerLabelAndItsViewSeesOnlyItsOwn() {
        MeterRegistry one = MeterRegistries.forReplica(shared, "demo-1");
        MeterRegistry two = MeterRegistries.forReplica(shared, "demo-2");

        Counter.builder("syncer.syncs").tags("code_host", "gh", "outcome", "changed").register(one).increment(3);
        Counter.builder("syncer.syncs").tags("code_host", "gh", "outcome", "changed").register(two).increment();
        Counter.builder("hikaricp.connections.timeout").tag("pool", "demo-1").register(one).increment();

        String scraped = shared.scrape();
        assertThat(scraped)
                .contains("syncer_syncs_total{code_host=\"gh\",outcome=\"changed\",worker=\"demo-1\"} 3.0")
                .contains("syncer_syncs_total{code_host=\"gh\",outcome=\"changed\",worker=\"demo-2\"} 1.0")
                .as("other meters keep their own labels").contains("hikaricp_connections_timeout_total{pool=\"demo-1\"} 1.0");
        assertThat(Search.in(one).name("syncer.syncs").counters()).singleElement()
                .extracting(Counter::count).isEqualTo(3.0);
        assertThat(Search.in(two).name("syncer.syncs").counters()).singleElement()
                .extracting(Counter::count).isEqualTo(1.0);
    }
}
