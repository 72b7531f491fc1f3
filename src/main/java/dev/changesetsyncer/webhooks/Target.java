package dev.changesetsyncer.webhooks;

/**
 * What a webhook is about: a pull/merge request by its number in a repository, or every
 * changeset of a repository whose head commit is {@code headSha} (commit statuses, checks and
 * pipelines that name no pull request).
 */
record Target(RepoRef repo, String number, String headSha) {
    Target {
        if ((number == null) == (headSha == null)) {
            throw new IllegalArgumentException("a target is a number or a head commit");
        }
    }

    static Target byNumber(RepoRef repo, String number) {
        return new Target(repo, number, null);
    }

    static Target byHeadSha(RepoRef repo, String headSha) {
        return new Target(repo, null, headSha);
    }

    String describe() {
        return number != null ? "#" + number + " of " + repo.describe()
                : "head commit " + headSha + " of " + repo.describe();
    }
}
