package dev.changesetsyncer.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The meter registry of a replica process, scraped at {@code GET /metrics}. */
public final class MeterRegistries {
    /** The label of a replica's own meters when several share one registry. */
    public static final String WORKER = "worker";

    private MeterRegistries() {}

    /**
     * A Prometheus registry with the JVM's standard binders: memory, garbage collection, threads,
     * class loading, processor and uptime. One per process: the JVM figures are the process's.
     */
    @SuppressWarnings("resource") // the GC binder lives as long as the registry, i.e. the process
    public static PrometheusMeterRegistry prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /**
     * A view of {@code shared} for one of several replicas in one process (the demo): its {@code syncer_*}
     * meters carry the label {@code worker}, so the replicas' series stay apart on one {@code /metrics}
     * (Prometheus wants one set of labels per name, so only the replicas' own meters get it), and a
     * search in the view sees that replica's meters only. A process with one replica needs none.
     */
    public static MeterRegistry forReplica(MeterRegistry shared, String workerId) {
        CompositeMeterRegistry view = new CompositeMeterRegistry();
        view.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith("syncer.") ? id.withTag(Tag.of(WORKER, workerId)) : id;
            }
        });
        return view.add(shared);
    }
}
