package dev.changesetsyncer.webhooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** What a verified delivery means to us. */
sealed interface Interpretation {
    /** The host testing the hook: answered 200, nothing stored. */
    record Ping() implements Interpretation {}

    /** An event we do not use: answered 202, nothing stored. */
    record NotUsed(String reason) implements Interpretation {}

    /** Something happened to these changesets: each gets an event, which moves its schedule. */
    record ChangesetActivity(String event, List<Target> targets, ObjectNode summary) implements Interpretation {
        public ChangesetActivity {
            targets = List.copyOf(targets);
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("changeset activity names at least one changeset");
            }
        }
    }

    /** A repository was archived, unarchived, renamed or deleted. */
    record RepositoryActivity(String event, RepositoryChange change, ObjectNode summary) implements Interpretation {}
}
