package dev.changesetsyncer.soak;

/**
 * A fault the soak injected.
 *
 * @param at seconds since the faults began
 * @param kind {@code kill}, {@code pause}, {@code terminate-backends}, {@code pg-restart} or {@code pin-xmin}
 * @param detail what exactly (which replica, how many connections, the command's outcome)
 * @param seconds how long the fault lasted (0 for an instant one)
 */
record Fault(double at, String kind, String detail, double seconds) {}
