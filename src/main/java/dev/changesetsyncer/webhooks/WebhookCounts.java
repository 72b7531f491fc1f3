package dev.changesetsyncer.webhooks;

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

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

    void record(String codeHost, int status) {
        counts.computeIfAbsent(new Key(codeHost, status), k -> new LongAdder()).increment();
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
