package dev.changesetsyncer.soak;

/**
 * Throughput around one fault: syncs per second in the 10 s before it, while it lasted (at least
 * 10 s), and in the 10 s after; how long until a 5-second window ran at 90 % of the rate before
 * (null: not within 2 minutes, or no rate before to compare with); and the longest wait of an owed
 * changeset from the fault until 30 s after it ended.
 */
record FaultOutcome(Fault fault, double before, double during, double after, Double recoverySeconds,
        double longestWaitSeconds) {
    private static final double WINDOW = 10;
    private static final double RECOVERY_WINDOW = 5;
    private static final double RECOVERED = 0.9;
    private static final double GIVE_UP = 120;

    static FaultOutcome of(Fault fault, Timeline timeline) {
        double start = fault.at();
        double end = start + Math.max(fault.seconds(), WINDOW);
        double before = timeline.rate(start - WINDOW, start);
        Double recovery = null;
        if (before > 0) {
            for (double s = start; s <= start + GIVE_UP && s + RECOVERY_WINDOW <= timeline.lastAt(); s += 1) {
                if (timeline.rate(s, s + RECOVERY_WINDOW) >= RECOVERED * before) {
                    recovery = s - start;
                    break;
                }
            }
        }
        return new FaultOutcome(fault, before, timeline.rate(start, end), timeline.rate(end, end + WINDOW), recovery,
                timeline.longestWait(start, start + fault.seconds() + 30));
    }
}
