package dev.changesetsyncer.service;

import dev.changesetsyncer.metrics.FleetGauges;
import dev.changesetsyncer.metrics.MeterRegistries;
import dev.changesetsyncer.metrics.MetricsEndpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a replica's server exposes to operators besides webhooks: {@code /metrics} from
 * {@code registry} (behind {@code metricsToken} when set), the fleet's per-host gauges refreshed every
 * {@code fleetRefresh} (exported by one replica at a time), and the health checks.
 */
public record Observability(PrometheusMeterRegistry registry, Optional<String> metricsToken, Duration fleetRefresh) {
    public Observability {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(metricsToken, "metricsToken");
        if (fleetRefresh.isNegative() || fleetRefresh.isZero()) {
            throw new IllegalArgumentException("fleetRefresh must be positive, got " + fleetRefresh);
        }
    }

    /** A fresh registry with the JVM's meters, the token from {@value MetricsEndpoint#TOKEN_VARIABLE} if set. */
    public static Observability fromEnvironment(Map<String, String> environment) {
        return new Observability(MeterRegistries.prometheus(),
                Optional.ofNullable(environment.get(MetricsEndpoint.TOKEN_VARIABLE)).filter(t -> !t.isBlank()),
                FleetGauges.DEFAULT_REFRESH);
    }

    public Observability withFleetRefresh(Duration value) {
        return new Observability(registry, metricsToken, value);
    }
}
