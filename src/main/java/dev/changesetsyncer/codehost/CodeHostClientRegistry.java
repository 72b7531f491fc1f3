package dev.changesetsyncer.codehost;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.CodeHostCredentials.InvalidTokenException;
import dev.changesetsyncer.codehost.CodeHostCredentials.MissingTokenException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients a worker uses: a factory per code host kind, registered by whoever assembles the
 * worker (the {@code run} command registers the real hosts; the demo, benchmarks and tests the
 * simulated one). Each code host gets one client, built on first use and kept — including the
 * failing client of a host this worker is not set up for, so a misconfigured host costs a log
 * line once, not a lookup per sync.
 */
public final class CodeHostClientRegistry implements CodeHostClients {
    private static final Logger log = LoggerFactory.getLogger(CodeHostClientRegistry.class);

    /** Builds the client of one code host. */
    @FunctionalInterface
    public interface Factory {
        /** @throws MissingTokenException when the host needs a token and has none; InvalidTokenException for a malformed one */
        CodeHostClient create(CodeHost host);
    }

    private final Map<CodeHostKind, Factory> factories = new EnumMap<>(CodeHostKind.class);
    private final Map<Long, CodeHostClient> clients = new ConcurrentHashMap<>();

    /** Hosts of {@code kind} get their client from {@code factory}; call before the first {@link #forHost}. */
    public CodeHostClientRegistry register(CodeHostKind kind, Factory factory) {
        if (!clients.isEmpty()) {
            throw new IllegalStateException("register every kind before the first client is built");
        }
        factories.put(kind, factory);
        return this;
    }

    @Override
    public CodeHostClient forHost(CodeHost host) {
        return clients.computeIfAbsent(host.id(), id -> create(host));
    }

    private CodeHostClient create(CodeHost host) {
        Factory factory = factories.get(host.kind());
        if (factory == null) {
            return unconfigured(host, "this worker has no client for code hosts of kind " + host.kind().sqlName()
                    + " (code host \"" + host.name() + "\")");
        }
        try {
            return factory.create(host);
        } catch (MissingTokenException | InvalidTokenException e) {
            return unconfigured(host, e.getMessage());
        } catch (IllegalArgumentException e) {
            // the client refused the host's settings (e.g. a plain-http base_url its token may not go to)
            return unconfigured(host, "code host \"" + host.name() + "\": " + e.getMessage());
        }
    }

    private static CodeHostClient unconfigured(CodeHost host, String message) {
        log.warn("code host {} cannot be synced by this worker, its syncs fail until it is configured and the worker "
                + "restarted: {}", host.id(), message);
        return new Unconfigured(message);
    }

    /** Answers every fetch and repository sync with the configuration error; sends nothing anywhere. */
    private record Unconfigured(String message) implements CodeHostClient {
        @Override
        public SyncResult fetch(SyncTarget target) {
            return new SyncResult.Failed(FailureKind.UNCONFIGURED, message, null, null);
        }

        @Override
        public RepoSyncResult syncRepository(RepoTarget target) {
            return new RepoSyncResult.Failed(FailureKind.UNCONFIGURED, message, null, null, 0);
        }
    }
}
