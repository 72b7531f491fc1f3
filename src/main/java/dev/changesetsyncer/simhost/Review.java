package dev.changesetsyncer.simhost;

import java.time.Instant;

/** A submitted review: {@code APPROVED}, {@code CHANGES_REQUESTED} or {@code COMMENTED}. */
record Review(long id, String reviewer, String state, Instant submittedAt, String commitId) {}
