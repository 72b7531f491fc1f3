package dev.changesetsyncer.testing;

import dev.changesetsyncer.codehost.CodeHostClient;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.List;

/** Starts replicas against a test database and stops whatever is left at the end. */
public final class Replicas implements AutoCloseable {
    private final TestDatabase database;
    private final List<Replica> started = new ArrayList<>();

    public Replicas(TestDatabase database) {
        this.database = database;
    }

    /** A replica whose every code host is {@code client}. */
    public Replica start(WorkerSettings settings, CodeHostClient client) {
        Replica replica = Replica.start(settings, database.url(), host -> client);
        started.add(replica);
        return replica;
    }

    @Override
    public void close() {
        started.forEach(Replica::stop);
    }
}
