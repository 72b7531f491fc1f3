package dev.changesetsyncer.simhost;

import java.time.Instant;

/** A repository of the simulated host. */
record Repository(int index, long id, String owner, String name, Instant createdAt) {
    String fullName() {
        return owner + "/" + name;
    }
}
