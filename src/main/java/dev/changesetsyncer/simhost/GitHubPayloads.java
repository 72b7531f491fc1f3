package dev.changesetsyncer.simhost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * GitHub's answers, rendered from GitHub's own example payloads (see the README beside the
 * templates) with the population's values put into the fields a client reads.
 */
final class GitHubPayloads {
    private static final ObjectMapper json = new ObjectMapper();
    private static final String TEMPLATES = "/dev/changesetsyncer/simhost/github/";

    private final ObjectNode pullTemplate = (ObjectNode) load("pulls-get.json");
    private final ObjectNode pullItemTemplate = (ObjectNode) load("pulls-list.json").get(0);
    private final ObjectNode reviewTemplate = (ObjectNode) load("pulls-reviews-list.json").get(0);
    private final ObjectNode checkRunsTemplate = (ObjectNode) load("check-runs-for-ref.json");
    private final ObjectNode statusTemplate = (ObjectNode) load("combined-status-for-ref.json");
    private final ObjectNode repoTemplate = (ObjectNode) load("repos-get.json");
    private final String apiBase;
    private final Duration checksTake;

    /** @param apiBase the root the host is reached at, e.g. {@code http://127.0.0.1:8900}, for the {@code url} fields */
    GitHubPayloads(String apiBase, Duration checksTake) {
        this.apiBase = apiBase;
        this.checksTake = checksTake;
    }

    byte[] repository(Repository repo, Instant updatedAt) {
        ObjectNode node = repoTemplate.deepCopy();
        fillRepository(node, repo, updatedAt);
        return bytes(node);
    }

    byte[] pull(PullRequest pull) {
        ObjectNode node = pullTemplate.deepCopy();
        fillPullItem(node, pull);
        node.put("merged", pull.merged());
        node.put("mergeable", pull.closed() ? null : Boolean.TRUE);
        node.put("mergeable_state", pull.closed() ? "unknown" : "clean");
        node.put("comments", pull.reviews().size());
        node.put("commits", 1 + pull.version() / 3);
        if (!pull.merged()) {
            node.putNull("merged_by");
        }
        return bytes(node);
    }

    byte[] pullList(List<PullRequest> page) {
        ArrayNode items = json.createArrayNode();
        for (PullRequest pull : page) {
            ObjectNode item = pullItemTemplate.deepCopy();
            fillPullItem(item, pull);
            items.add(item);
        }
        return bytes(items);
    }

    byte[] reviews(PullRequest pull, List<Review> page) {
        ArrayNode items = json.createArrayNode();
        for (Review review : page) {
            ObjectNode node = reviewTemplate.deepCopy();
            node.put("id", review.id());
            node.put("node_id", "PRR_" + review.id());
            ((ObjectNode) node.get("user")).put("login", review.reviewer());
            node.put("body", review.state().equals("COMMENTED") ? "A comment." : "");
            node.put("state", review.state());
            node.put("html_url", htmlUrl(pull) + "#pullrequestreview-" + review.id());
            node.put("pull_request_url", apiUrl(pull));
            node.put("submitted_at", time(review.submittedAt()));
            node.put("commit_id", review.commitId());
            items.add(node);
        }
        return bytes(items);
    }

    /** Two check runs, {@code build} and {@code test}, of one commit. */
    byte[] checkRuns(PullRequest pull, String sha, PullRequest.Checks checks) {
        ObjectNode node = checkRunsTemplate.deepCopy();
        ObjectNode runTemplate = (ObjectNode) node.get("check_runs").get(0);
        ArrayNode runs = node.putArray("check_runs");
        String[] names = {"build", "test"};
        for (int i = 0; i < names.length; i++) {
            ObjectNode run = runTemplate.deepCopy();
            long id = Math.abs((long) sha.hashCode()) * 10 + i;
            run.put("id", id);
            run.put("node_id", "CR_" + id);
            run.put("head_sha", sha);
            run.put("name", names[i]);
            run.put("url", apiBase + "/repos/" + pull.repo().fullName() + "/check-runs/" + id);
            run.put("status", checks.completed() ? "completed" : "in_progress");
            // the build passes; the test run carries the verdict
            run.put("conclusion", !checks.completed() ? null : checks.failed() && i == 1 ? "failure" : "success");
            run.put("started_at", time(checks.startedAt()));
            run.put("completed_at", checks.completed() ? time(checks.completedAt()) : null);
            runs.add(run);
        }
        node.put("total_count", names.length);
        return bytes(node);
    }

    /** The combined status of one commit: a single {@code ci/simulated} status. */
    byte[] combinedStatus(PullRequest pull, String sha, PullRequest.Checks checks) {
        ObjectNode node = statusTemplate.deepCopy();
        String state = !checks.completed() ? "pending" : checks.failed() ? "failure" : "success";
        ObjectNode status = (ObjectNode) node.get("statuses").get(0).deepCopy();
        long id = Math.abs((long) sha.hashCode()) * 10 + 9;
        status.put("id", id);
        status.put("node_id", "SC_" + id);
        status.put("state", state);
        status.put("context", "ci/simulated");
        status.put("description", checks.completed() ? "The build finished" : "The build is running");
        status.put("url", apiBase + "/repos/" + pull.repo().fullName() + "/statuses/" + sha);
        status.put("created_at", time(checks.startedAt()));
        status.put("updated_at", time(checks.completed() ? checks.completedAt() : checks.startedAt()));
        node.putArray("statuses").add(status);
        node.put("state", state);
        node.put("sha", sha);
        node.put("total_count", 1);
        fillRepository((ObjectNode) node.get("repository"), pull.repo(), null);
        node.put("commit_url", apiBase + "/repos/" + pull.repo().fullName() + "/commits/" + sha);
        node.put("url", apiBase + "/repos/" + pull.repo().fullName() + "/commits/" + sha + "/status");
        return bytes(node);
    }

    PullRequest.Checks checksOf(PullRequest pull, String sha, Instant now) {
        if (!sha.equals(pull.headSha())) {
            // an earlier head: its checks concluded long ago
            return new PullRequest.Checks(true, Math.floorMod(sha.hashCode(), 7) == 0, pull.createdAt(), pull.createdAt());
        }
        return pull.checks(now, checksTake);
    }

    /** The fields of GitHub's "simple" pull request, which the full one has too. */
    private void fillPullItem(ObjectNode node, PullRequest pull) {
        String repoApi = apiBase + "/repos/" + pull.repo().fullName();
        node.put("url", apiUrl(pull));
        node.put("id", pull.id());
        node.put("node_id", "PR_" + pull.id());
        node.put("html_url", htmlUrl(pull));
        node.put("issue_url", repoApi + "/issues/" + pull.number());
        node.put("number", pull.number());
        node.put("state", pull.closed() ? "closed" : "open");
        node.put("title", pull.title());
        ((ObjectNode) node.get("user")).put("login", pull.author());
        node.put("created_at", time(pull.createdAt()));
        node.put("updated_at", time(pull.updatedAt()));
        node.put("closed_at", pull.closedAt() == null ? null : time(pull.closedAt()));
        node.put("merged_at", pull.mergedAt() == null ? null : time(pull.mergedAt()));
        node.put("merge_commit_sha", pull.merged() ? pull.headSha() : null);
        node.put("draft", pull.draft());
        if (!pull.reviewersRequested()) {
            node.putArray("requested_reviewers");
        }
        node.putArray("requested_teams");
        ObjectNode head = (ObjectNode) node.get("head");
        head.put("ref", pull.headRef());
        head.put("sha", pull.headSha());
        head.put("label", pull.repo().owner() + ":" + pull.headRef());
        fillRepository((ObjectNode) head.get("repo"), pull.repo(), null);
        ObjectNode base = (ObjectNode) node.get("base");
        base.put("ref", "main");
        base.put("label", pull.repo().owner() + ":main");
        fillRepository((ObjectNode) base.get("repo"), pull.repo(), null);
    }

    private void fillRepository(ObjectNode node, Repository repo, Instant updatedAt) {
        node.put("id", repo.id());
        node.put("node_id", "R_" + repo.id());
        node.put("name", repo.name());
        node.put("full_name", repo.fullName());
        ((ObjectNode) node.get("owner")).put("login", repo.owner());
        node.put("url", apiBase + "/repos/" + repo.fullName());
        node.put("html_url", "https://github.example/" + repo.fullName());
        node.put("archived", false);
        node.put("disabled", false);
        node.put("created_at", time(repo.createdAt()));
        if (updatedAt != null) {
            node.put("updated_at", time(updatedAt));
            node.put("pushed_at", time(updatedAt));
        }
    }

    private String apiUrl(PullRequest pull) {
        return apiBase + "/repos/" + pull.repo().fullName() + "/pulls/" + pull.number();
    }

    private static String htmlUrl(PullRequest pull) {
        return "https://github.example/" + pull.repo().fullName() + "/pull/" + pull.number();
    }

    /** GitHub writes whole seconds in UTC: {@code 2011-01-26T19:01:12Z}. */
    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode load(String name) {
        try (InputStream in = GitHubPayloads.class.getResourceAsStream(TEMPLATES + name)) {
            if (in == null) {
                throw new IllegalStateException("the payload template " + TEMPLATES + name + " is missing from the classpath");
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the payload template " + name, e);
        }
    }
}
