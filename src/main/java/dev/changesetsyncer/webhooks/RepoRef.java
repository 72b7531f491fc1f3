package dev.changesetsyncer.webhooks;

/**
 * A repository as a webhook names it: the host's id for it ({@code repos.external_id}) and its
 * name ({@code repos.name}, the fallback). Either may be unknown, not both.
 */
record RepoRef(String externalId, String name) {
    RepoRef {
        if (externalId == null && name == null) {
            throw new IllegalArgumentException("a repository needs an id or a name");
        }
    }

    /** @throws MalformedDelivery when the payload gives neither */
    static RepoRef of(String externalId, String name, String where) throws MalformedDelivery {
        if (externalId == null && name == null) {
            throw new MalformedDelivery(where + " names no repository (neither its id nor its name)");
        }
        return new RepoRef(externalId, name);
    }

    String describe() {
        return name != null ? name : "repository " + externalId;
    }
}
