package dev.changesetsyncer.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replicas' logs, counted: fenced write-backs, cancelled syncs, stack traces, HikariCP's warnings. */
class LogFindingsTest {
    @Test
    void countsWhatTheReplicasLogged(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("soak-r1.log");
        Files.write(log, List.of(
                "01:02:03.456 INFO  d.c.worker.Replica    - replica soak-r1 started: concurrency 16",
                "01:02:04.000 WARN  d.c.w.CompletionWriter soak-r1 - discarded the write-back of changeset=7 claim=9: the claim was lost",
                "01:02:04.100 WARN  d.c.w.LeaseKeeper     - cancelling the sync of changeset=8 claim=10: its lease ran out",
                "01:02:04.200 WARN  d.c.w.SyncTask        - abandoning the sync of changeset=9 claim=11 without a write-back: x",
                "01:02:05.000 WARN  c.z.h.p.ProxyConnection - soak-r1 - Connection marked as broken",
                "org.postgresql.util.PSQLException: FATAL: terminating connection due to administrator command",
                "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2733)",
                "\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2420)",
                "Caused by: java.io.EOFException",
                "\tat org.postgresql.core.PGStream.receiveChar(PGStream.java:467)",
                "01:02:06.000 WARN  c.z.h.pool.PoolBase   - soak-r1 - Failed to validate connection",
                "\tat somewhere.Else(Else.java:1)"));

        LogFindings findings = LogFindings.read(List.of(log, dir.resolve("never-started.log")));

        assertThat(findings.fenced()).isEqualTo(1);
        assertThat(findings.cancelled()).isEqualTo(2);
        assertThat(findings.stackTraces()).as("one trace with its cause, and another").isEqualTo(2);
        assertThat(findings.hikariWarnings()).isEqualTo(2);
        assertThat(findings.byLevelAndLogger()).containsEntry("WARN d.c.w.CompletionWriter", 1L)
                .containsEntry("WARN c.z.h.pool.PoolBase", 1L);
    }
}
