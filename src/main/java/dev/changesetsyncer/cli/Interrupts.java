package dev.changesetsyncer.cli;

import sun.misc.Signal;

/**
 * Turns Ctrl-C (SIGINT) and a service manager's stop (SIGTERM) into an action of the command, so
 * that it can stop cleanly and exit 0: left to the JVM, SIGTERM runs the shutdown hooks and exits
 * with 143, which service managers count as a failure.
 */
final class Interrupts {
    private Interrupts() {}

    static void onCtrlC(Runnable action) {
        handle("INT", action);
    }

    /** SIGTERM and SIGINT run {@code action} (on a thread of their own) instead of ending the JVM. */
    static void onStopSignals(Runnable action) {
        handle("TERM", action);
        handle("INT", action);
    }

    private static void handle(String signal, Runnable action) {
        try {
            Signal.handle(new Signal(signal), ignored -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no such signal on this platform (or the JVM keeps it): it ends the JVM the usual way
        }
    }
}
