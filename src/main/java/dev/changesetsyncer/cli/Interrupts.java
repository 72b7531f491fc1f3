package dev.changesetsyncer.cli;

import sun.misc.Signal;

/** Turns Ctrl-C (SIGINT) into a flag the command polls, so that it can stop cleanly and exit 0. */
final class Interrupts {
    private Interrupts() {}

    static void onCtrlC(Runnable action) {
        try {
            Signal.handle(new Signal("INT"), signal -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT on this platform: Ctrl-C ends the JVM the usual way
        }
    }
}
