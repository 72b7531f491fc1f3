package dev.changesetsyncer.webhooks;

import java.util.Arrays;

/**
 * What a webhook is about: a pull/merge request by its number in a repository, or every
 * changeset of a repository whose head commit is {@code headSha} (commit statuses, checks and
 * pipelines that name no pull request).
 *
 * @param open whether the payload says the pull request is open (null: it does not say); a pull
 *     request we do not have is imported when its repository tracks all pull requests, or tracks
 *     open ones and this is true
 */
record Target(RepoRef repo, String number, String headSha, Boolean open) {
    Target {
        if ((number == null) == (headSha == null)) {
            throw new IllegalArgumentException("a target is a number or a head commit");
        }
    }

    static Target byNumber(RepoRef repo, String number) {
        return new Target(repo, number, null, null);
    }

    /** @param state the host's state of the pull request (null: unknown); open when it is one of {@code openStates} */
    static Target byNumber(RepoRef repo, String number, String state, String... openStates) {
        return new Target(repo, number, null, state == null ? null : Arrays.asList(openStates).contains(state));
    }

    static Target byHeadSha(RepoRef repo, String headSha) {
        return new Target(repo, null, headSha, null);
    }

    String describe() {
        return number != null ? "#" + number + " of " + repo.describe()
                : "head commit " + headSha + " of " + repo.describe();
    }
}
