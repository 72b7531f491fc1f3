package dev.changesetsyncer.cli;

/**
 * A command's stop, run once whoever asks first — a SIGTERM, Ctrl-C or the JVM's shutdown hook; a
 * second caller waits until the first one's stop is over.
 */
final class StopOnce implements Runnable {
    private final Runnable stop;
    private boolean done;

    StopOnce(Runnable stop) {
        this.stop = stop;
    }

    @Override
    public synchronized void run() {
        if (!done) {
            done = true;
            stop.run();
        }
    }
}
