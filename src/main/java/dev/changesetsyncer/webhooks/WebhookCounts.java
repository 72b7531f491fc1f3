package dev.changesetsyncer.webhooks;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Webhook deliveries answered, by code host and HTTP status. Deliveries for a code host we do not
 * know count under {@code "unknown"}, so senders cannot grow the label set.
 */
public final class WebhookCounts {
    public static final String UNKNOWN_HOST = "unknown";

    /** @param codeHost the code host's name, or {@link #UNKNOWN_HOST} */
    public record Key(String codeHost, int status) {}

    public static final String DELIVERIES = "syncer.webhook.deliveries";

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    /** @param registry where each (host, status) is a counter too */
    WebhookCounts(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String codeHost, int status) {
        counts.computeIfAbsent(new Key(codeHost, status), this::counted).increment();
    }

    private LongAdder counted(Key key) {
        LongAdder count = new LongAdder();
        FunctionCounter.builder(DELIVERIES, count, LongAdder::sum)
                .description("webhook deliveries answered, by code host (unknown: not ours) and HTTP status")
                .tags("code_host", key.codeHost(), "status", String.valueOf(key.status())).register(registry);
        return count;
    }

    /** Every count so far, by host then status. */
    public Map<Key, Long> snapshot() {
        Map<Key, Long> copy = new TreeMap<>((a, b) -> a.codeHost().equals(b.codeHost())
                ? Integer.compare(a.status(), b.status()) : a.codeHost().compareTo(b.codeHost()));
        counts.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }

    /** Deliveries answered with this status, all hosts together. */
    public long answered(int status) {
        return counts.entrySet().stream().filter(e -> e.getKey().status() == status)
                .mapToLong(e -> e.getValue().sum()).sum();
    }
}
