package dev.changesetsyncer.codehost;

import java.util.Objects;

/**
 * A repository as its host describes it now.
 *
 * @param externalId the host's id for it
 * @param name its path, in the form {@code repos.name} keeps ({@code owner/repo}, {@code group/project}, {@code KEY/slug})
 */
public record RepoSnapshot(String externalId, String name, boolean archived) {
    public RepoSnapshot {
        Objects.requireNonNull(externalId, "externalId");
        Objects.requireNonNull(name, "name");
    }
}
