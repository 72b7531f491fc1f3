package dev.changesetsyncer.webhooks;

import static dev.changesetsyncer.jooq.Tables.CODE_HOSTS;

import dev.changesetsyncer.catalog.CodeHostKind;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;

/**
 * Code hosts by name, as webhooks name them ({@code ?code_host=NAME}). Found hosts are remembered
 * for a while, so a delivery costs one database round trip (the store), not two; a name not found
 * is looked up again next time (a host just created is found at once).
 */
final class CodeHostDirectory {
    private static final long REMEMBER_NANOS = Duration.ofSeconds(30).toNanos();
    private static final int MAX_NAME_LENGTH = 200;

    record KnownHost(long id, String name, CodeHostKind kind) {}

    private record Remembered(KnownHost host, long sinceNanos) {}

    private final DSLContext dsl;
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    CodeHostDirectory(DSLContext dsl) {
        this.dsl = dsl;
    }

    Optional<KnownHost> find(String name) {
        if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            return Optional.empty();
        }
        Remembered known = remembered.get(name);
        if (known != null && System.nanoTime() - known.sinceNanos() < REMEMBER_NANOS) {
            return Optional.of(known.host());
        }
        Optional<KnownHost> found = dsl.select(CODE_HOSTS.ID, CODE_HOSTS.KIND)
                .from(CODE_HOSTS)
                .where(CODE_HOSTS.NAME.eq(name))
                .fetchOptional(r -> new KnownHost(r.value1(), name, CodeHostKind.fromSqlName(r.value2().getLiteral())));
        found.ifPresentOrElse(host -> remembered.put(name, new Remembered(host, System.nanoTime())),
                () -> remembered.remove(name));
        return found;
    }
}
