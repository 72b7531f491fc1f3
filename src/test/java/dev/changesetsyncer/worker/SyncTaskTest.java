package dev.changesetsyncer.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.SyncResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sync reports a repository's archived flag only when it differs from what its claim carried. */
class SyncTaskTest {
    @Test
    void aFlagEqualToTheClaimsIsNotNews() {
        assertThat(archivedAfter(false, false)).isNull();
        assertThat(archivedAfter(true, true)).isNull();
    }

    @Test
    void aFlagThatChangedOrWasUnknownIsReported() {
        assertThat(archivedAfter(false, true)).isTrue();
        assertThat(archivedAfter(true, false)).isFalse();
        assertThat(archivedAfter(null, false)).isFalse();
    }

    @Test
    void resultsWithoutASnapshotAreUntouched() {
        SyncResult.Unchanged unchanged = new SyncResult.Unchanged(null);
        SyncResult.Gone gone = new SyncResult.Gone("404", null);

        assertThat(SyncTask.archivedFlagOnlyIfChanged(unchanged, false)).isSameAs(unchanged);
        assertThat(SyncTask.archivedFlagOnlyIfChanged(gone, false)).isSameAs(gone);
    }

    static Boolean archivedAfter(Boolean claimed, boolean found) {
        SyncResult.Fetched fetched = new SyncResult.Fetched(new ChangesetSnapshot(ChangesetState.OPEN, "t", "a", "u", "h",
                "b", "sha", null, null, Instant.EPOCH, found), Map.of("pull", "\"e1\""), List.of(), null);
        SyncResult.Fetched reported = (SyncResult.Fetched) SyncTask.archivedFlagOnlyIfChanged(fetched, claimed);
        assertThat(reported.snapshot().withRepoArchived(found)).as("only the flag changes").isEqualTo(fetched.snapshot());
        assertThat(reported.changeMarkers()).isEqualTo(fetched.changeMarkers());
        return reported.snapshot().repoArchived();
    }
}
