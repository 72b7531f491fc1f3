package dev.changesetsyncer.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * What the soak measured, once a second: syncs the host saw (cumulative), the longest current wait,
 * replicas alive; and every few seconds the size of {@code changeset_sync_state}.
 */
final class Timeline {
    /** @param at seconds since the faults began (negative during the warm-up) */
    record Sample(double at, long hostSyncs, double longestWaitSeconds, int alive) {}

    /** @param at seconds since the faults began */
    record TableSample(double at, SoakDatabase.TableStats stats) {}

    private final List<Sample> samples = new ArrayList<>();
    private final List<TableSample> tableSamples = new ArrayList<>();

    synchronized void add(Sample sample) {
        samples.add(sample);
    }

    synchronized void add(TableSample sample) {
        tableSamples.add(sample);
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    synchronized List<TableSample> tableSamples() {
        return List.copyOf(tableSamples);
    }

    /** Syncs per second over [from, to), from the samples nearest inside; NaN when there are too few. */
    synchronized double rate(double from, double to) {
        Sample first = null;
        Sample last = null;
        for (Sample s : samples) {
            if (s.at() >= from && s.at() < to) {
                if (first == null) {
                    first = s;
                }
                last = s;
            }
        }
        if (first == null || last == first || last.at() - first.at() < 0.5) {
            return Double.NaN;
        }
        return (last.hostSyncs() - first.hostSyncs()) / (last.at() - first.at());
    }

    /** The longest wait sampled within [from, to). */
    synchronized double longestWait(double from, double to) {
        double longest = 0;
        for (Sample s : samples) {
            if (s.at() >= from && s.at() < to) {
                longest = Math.max(longest, s.longestWaitSeconds());
            }
        }
        return longest;
    }

    synchronized double lastAt() {
        return samples.isEmpty() ? 0 : samples.getLast().at();
    }
}
