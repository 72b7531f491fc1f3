package dev.changesetsyncer.service;

import dev.changesetsyncer.worker.Replica;
import java.util.Optional;

/** How a replica process stops (SIGTERM): not ready at once, then the replica drains, then the server goes. */
public final class GracefulStop {
    private GracefulStop() {}

    /**
     * {@code /readyz} answers 503 from the first moment; webhooks need only the database, so the server
     * keeps taking them (and answering health and metrics) while the replica drains.
     */
    public static void stop(Replica replica, Optional<HttpService> server) {
        server.ifPresent(HttpService::shuttingDown);
        replica.stop();
        server.ifPresent(HttpService::close);
    }
}
