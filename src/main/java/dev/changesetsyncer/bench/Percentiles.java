package dev.changesetsyncer.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of a set of measurements in nanoseconds, reported in milliseconds. */
record Percentiles(double p50Millis, double p99Millis, double maxMillis, int samples) {
    static Percentiles of(long[] nanos) {
        if (nanos.length == 0) {
            return new Percentiles(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Percentiles(at(sorted, 0.50), at(sorted, 0.99), sorted[sorted.length - 1] / 1e6, sorted.length);
    }

    private static double at(long[] sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
