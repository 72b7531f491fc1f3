package dev.changesetsyncer.simhost;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What GitHub answers to a GET, computed from the population: the body, the ETag (and a 304 when
 * the client's {@code If-None-Match} still matches), the rate-limit headers, Link headers on lists,
 * 404 for what does not exist or was deleted, 401 without the right token, 429 inside a rate-limit
 * window, 403 when the quota is spent, and a share of 502s.
 */
final class GitHubApi {
    private static final String DOCS = "https://docs.github.com/rest";

    /** A request, as far as the API cares. */
    record ApiRequest(String path, Map<String, String> query, String authorization, String ifNoneMatch) {}

    /** An answer to send. */
    record Answer(int status, Map<String, String> headers, byte[] body) {}

    private final HostSettings settings;
    private final Population population;
    private final GitHubPayloads payloads;
    private final HostLimits limits;
    private final String apiBase;
    private final AtomicLong sequence = new AtomicLong();

    GitHubApi(HostSettings settings, Population population, GitHubPayloads payloads, HostLimits limits, String apiBase) {
        this.settings = settings;
        this.population = population;
        this.payloads = payloads;
        this.limits = limits;
        this.apiBase = apiBase;
    }

    /** The changeset a route reads ({@code owner/repo#number}), or null. */
    String changesetOf(Route route) {
        return switch (route) {
            case Route.Pull p -> p.owner() + "/" + p.name() + "#" + p.number();
            case Route.Reviews r -> r.owner() + "/" + r.name() + "#" + r.number();
            case Route.CheckRuns c -> commitOwner(c.owner(), c.name(), c.sha());
            case Route.CombinedStatus s -> commitOwner(s.owner(), s.name(), s.sha());
            default -> null;
        };
    }

    private String commitOwner(String owner, String name, String sha) {
        return population.repo(owner, name).flatMap(repo -> population.pullWithCommit(repo, sha))
                .map(PullRequest::key).orElse(null);
    }

    Answer answer(Route route, ApiRequest request, long nowNanos, Instant now) {
        if (!authorised(request.authorization())) {
            return problem(401, "Bad credentials", limits.current(nowNanos));
        }
        Optional<Duration> refused = limits.refusedFor(nowNanos);
        if (refused.isPresent()) {
            Map<String, String> headers = limits.current(nowNanos);
            headers.put("retry-after", String.valueOf(Math.max(1, (refused.get().toMillis() + 999) / 1000)));
            return problem(429, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                    headers);
        }
        if (settings.errorRate() > 0 && draw(sequence.incrementAndGet()) < settings.errorRate()) {
            return problem(502, "Server Error", limits.current(nowNanos));
        }
        Resource resource = resource(route, request, now);
        if (resource == null) {
            return costing(problem(404, "Not Found", new LinkedHashMap<>()), nowNanos);
        }
        if (matches(request.ifNoneMatch(), resource.etag())) {
            Map<String, String> headers = limits.take(nowNanos, true).orElseThrow();
            headers.put("etag", resource.etag());
            return new Answer(304, headers, new byte[0]);
        }
        Answer ok = new Answer(200, new LinkedHashMap<>(resource.headers()), resource.body().get());
        ok.headers().put("etag", resource.etag());
        ok.headers().put("cache-control", "private, max-age=60, s-maxage=60");
        return costing(ok, nowNanos);
    }

    /** Counts a full answer against the quota; a 403 instead when the quota is spent. */
    private Answer costing(Answer answer, long nowNanos) {
        Optional<Map<String, String>> headers = limits.take(nowNanos, false);
        if (headers.isEmpty()) {
            return problem(403, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
                    + "please include the request ID.", limits.current(nowNanos));
        }
        headers.get().putAll(answer.headers());
        return new Answer(answer.status(), headers.get(), answer.body());
    }

    /** A resource that exists: its ETag, extra headers, and its body (rendered only when sent). */
    private record Resource(String etag, Map<String, String> headers, Supplier<byte[]> body) {}

    private Resource resource(Route route, ApiRequest request, Instant now) {
        return switch (route) {
            case Route.Repo r -> population.repo(r.owner(), r.name())
                    .map(repo -> new Resource(etag("repo", repo.id(), population.version(repo)), Map.of(),
                            () -> payloads.repository(repo, now)))
                    .orElse(null);
            case Route.PullList l -> population.repo(l.owner(), l.name()).map(repo -> pullList(repo, request)).orElse(null);
            case Route.Pull p -> livePull(p.owner(), p.name(), p.number())
                    .map(pull -> new Resource(etag("pull", pull.id(), pull.version()), Map.of(), () -> payloads.pull(pull)))
                    .orElse(null);
            case Route.Reviews r -> livePull(r.owner(), r.name(), r.number()).map(pull -> reviews(pull, request)).orElse(null);
            case Route.CheckRuns c -> liveCommit(c.owner(), c.name(), c.sha()).map(pull -> {
                PullRequest.Checks checks = payloads.checksOf(pull, c.sha(), now);
                return new Resource(etag("runs", c.sha().hashCode(), checks.completed() ? 1 : 0), Map.of(),
                        () -> payloads.checkRuns(pull, c.sha(), checks));
            }).orElse(null);
            case Route.CombinedStatus s -> liveCommit(s.owner(), s.name(), s.sha()).map(pull -> {
                PullRequest.Checks checks = payloads.checksOf(pull, s.sha(), now);
                return new Resource(etag("status", s.sha().hashCode(), checks.completed() ? 1 : 0), Map.of(),
                        () -> payloads.combinedStatus(pull, s.sha(), checks));
            }).orElse(null);
            case Route.Unknown u -> null;
        };
    }

    private Optional<PullRequest> livePull(String owner, String name, int number) {
        return population.repo(owner, name).flatMap(repo -> population.pull(repo, number)).filter(pull -> !pull.deleted());
    }

    private Optional<PullRequest> liveCommit(String owner, String name, String sha) {
        return population.repo(owner, name).flatMap(repo -> population.pullWithCommit(repo, sha))
                .filter(pull -> !pull.deleted());
    }

    /**
     * {@code GET /repos/{owner}/{repo}/pulls}: {@code state} open (default), closed or all;
     * {@code sort} created (default), updated, popularity or long-running; {@code direction} desc
     * by default for created, else asc; {@code per_page} up to 100 (default 30); {@code page}.
     */
    private Resource pullList(Repository repo, ApiRequest request) {
        String state = request.query().getOrDefault("state", "open");
        String sort = request.query().getOrDefault("sort", "created");
        String direction = request.query().getOrDefault("direction", sort.equals("created") ? "desc" : "asc");
        Comparator<PullRequest> order = switch (sort) {
            case "updated" -> Comparator.comparing(PullRequest::updatedAt);
            case "popularity" -> Comparator.comparingInt(pull -> pull.reviews().size());
            case "long-running" -> Comparator.comparing(PullRequest::createdAt).reversed();
            default -> Comparator.comparing(PullRequest::createdAt);
        };
        order = order.thenComparingInt(PullRequest::number);
        if (direction.equals("desc")) {
            order = order.reversed();
        }
        List<PullRequest> all = population.pullsOf(repo).stream()
                .filter(pull -> !pull.deleted())
                .filter(pull -> state.equals("all") || (state.equals("closed") == pull.closed()))
                .sorted(order)
                .toList();
        ListPage page = ListPage.of(request.query(), all.size());
        List<PullRequest> items = all.subList(page.from(), page.to());
        String path = "/repos/" + repo.fullName() + "/pulls";
        Map<String, String> headers = page.links(apiBase + path, request.query())
                .map(link -> Map.of("link", link)).orElse(Map.of());
        return new Resource(etag("pulls", repo.id(), population.version(repo) * 31 + request.query().hashCode()), headers,
                () -> payloads.pullList(items));
    }

    private Resource reviews(PullRequest pull, ApiRequest request) {
        List<Review> all = pull.reviews();
        ListPage page = ListPage.of(request.query(), all.size());
        List<Review> items = all.subList(page.from(), page.to());
        String path = "/repos/" + pull.repo().fullName() + "/pulls/" + pull.number() + "/reviews";
        Map<String, String> headers = page.links(apiBase + path, request.query())
                .map(link -> Map.of("link", link)).orElse(Map.of());
        return new Resource(etag("reviews", pull.id(), all.size() * 1000L + request.query().hashCode()), headers,
                () -> payloads.reviews(pull, items));
    }

    private boolean authorised(String authorization) {
        return authorization != null
                && (authorization.equals("Bearer " + settings.token()) || authorization.equals("token " + settings.token()));
    }

    /** Weak comparison, as GitHub does: {@code W/"x"} matches {@code "x"}; {@code *} matches anything. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String wanted = opaque(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String trimmed = candidate.trim();
            if (trimmed.equals("*") || opaque(trimmed).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    private static String etag(String kind, long id, long version) {
        long h = mix(kind.hashCode() * 0x9E3779B97F4A7C15L + id * 0xC2B2AE3D27D4EB4FL + version);
        return "W/\"" + String.format("%016x", h) + "\"";
    }

    private Answer problem(int status, String message, Map<String, String> headers) {
        String body = "{\"message\":\"" + message + "\",\"documentation_url\":\"" + DOCS + "\",\"status\":\"" + status + "\"}";
        return new Answer(status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private double draw(long n) {
        return (mix(settings.seed() * 0x632BE59BD9B4E019L + n) >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
