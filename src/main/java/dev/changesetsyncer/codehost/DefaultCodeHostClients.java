package dev.changesetsyncer.codehost;

import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The clients a worker uses in production: one per code host, created on first use. */
public final class DefaultCodeHostClients implements CodeHostClients {
    private final SimulationSettings simulation;
    private final Map<Long, CodeHostClient> clients = new ConcurrentHashMap<>();

    /** @param simulation how code hosts of kind {@code simulated} behave */
    public DefaultCodeHostClients(SimulationSettings simulation) {
        this.simulation = simulation;
    }

    @Override
    public CodeHostClient forHost(long codeHostId, CodeHostKind kind, String baseUrl) {
        return clients.computeIfAbsent(codeHostId, id -> switch (kind) {
            case SIMULATED -> new SimulatedCodeHost(simulation);
            case GITHUB, GITLAB, BITBUCKET_SERVER -> throw new UnsupportedCodeHostException(
                    "no client for " + kind.sqlName() + " code hosts in this version (code host " + id + ", " + baseUrl + ")");
        });
    }
}
