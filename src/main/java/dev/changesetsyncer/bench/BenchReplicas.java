package dev.changesetsyncer.bench;

import dev.changesetsyncer.codehost.CodeHostClients;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.List;

/** Replicas for a benchmark run: each its own connection pool, named {@code <prefix>-<n>}. */
final class BenchReplicas {
    private BenchReplicas() {}

    static List<Replica> start(String jdbcUrl, WorkerSettings template, String prefix, int count, CodeHostClients clients) {
        List<Replica> replicas = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            WorkerSettings settings = template.withWorkerId(prefix + "-" + i);
            replicas.add(Replica.start(settings, jdbcUrl, clients));
        }
        return replicas;
    }
}
