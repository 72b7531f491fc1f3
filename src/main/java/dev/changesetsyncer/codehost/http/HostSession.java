package dev.changesetsyncer.codehost.http;

import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.RateLimitStatus;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.SyncResult;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The requests of one sync to one host: each goes out with the host's headers (and
 * {@code If-None-Match} when an ETag is known), the latest rate-limit status any answer reported is
 * kept for the result, the 304s are counted when the host does not charge for them, and an answer
 * that is neither a success nor a 304 ends the sync with the result it means ({@link ResponseProblems}). Requests go only inside the host's {@link ApiScope}:
 * a pagination link or a redirect elsewhere (another host, another port, plain http, another path)
 * ends the sync instead of taking the token there. Redirects inside it are followed (GitHub answers
 * 301 for a renamed repository), at most {@value #MAX_REDIRECTS} in a row.
 */
public final class HostSession {
    /** A client's sync, given the session to make its requests with. */
    @FunctionalInterface
    public interface Sync {
        SyncResult run(HostSession session) throws HostCallException, InterruptedException;
    }

    /** A client's repository sync, given the session to make its requests with. */
    @FunctionalInterface
    public interface RepoSync {
        RepoSyncResult run(HostSession session) throws HostCallException, InterruptedException;
    }

    /** Whether the host counts a 304 against its quota. */
    public enum NotModified {
        /** GitHub: "a conditional request does not count against your primary rate limit if a 304 is returned". */
        FREE,
        /** GitLab, Bitbucket Server: every request counts. */
        COUNTED
    }

    static final int MAX_REDIRECTS = 5;
    private final String hostName;
    private final ApiScope scope;
    private final HostHttp http;
    private final Map<String, String> headers;
    private final NotModified notModified;
    private RateLimitStatus rateLimit;
    private int freeRequests;

    private HostSession(String hostName, ApiScope scope, HostHttp http, Map<String, String> headers,
            NotModified notModified) {
        this.hostName = hostName;
        this.scope = scope;
        this.http = http;
        this.headers = headers;
        this.notModified = notModified;
    }

    /**
     * Runs one sync; what the HTTP layer throws becomes the result it means: no answer or an
     * unreadable one is transient, a problem answer is what {@link ResponseProblems} says.
     *
     * @param hostName names the host in messages, e.g. "GitHub (https://api.github.com)"
     * @param scope where requests may go (the host's API)
     * @param headers sent with every request (Authorization included; never logged)
     */
    public static SyncResult run(String hostName, ApiScope scope, HostHttp http, Map<String, String> headers, Sync sync)
            throws InterruptedException {
        return run(hostName, scope, http, headers, NotModified.COUNTED, sync);
    }

    /** As above, for a host whose 304s are {@code notModified}: the result says how many were free. */
    public static SyncResult run(String hostName, ApiScope scope, HostHttp http, Map<String, String> headers,
            NotModified notModified, Sync sync) throws InterruptedException {
        HostSession session = new HostSession(hostName, scope, http, headers, notModified);
        return outcome(session, sync).withFreeRequests(session.freeRequests);
    }

    /**
     * Runs one repository sync: as {@link #run}, but a 404 is {@link RepoSyncResult.NotFound} and
     * every other problem {@link RepoSyncResult.Failed}.
     */
    public static RepoSyncResult runRepository(String hostName, ApiScope scope, HostHttp http,
            Map<String, String> headers, NotModified notModified, RepoSync sync) throws InterruptedException {
        HostSession session = new HostSession(hostName, scope, http, headers, notModified);
        try {
            return sync.run(session);
        } catch (HostCallException e) {
            return new RepoSyncResult.Failed(FailureKind.TRANSIENT, hostName + ": " + e.getMessage(), null,
                    session.rateLimit, session.freeRequests);
        } catch (UnreadableResponseException e) {
            return new RepoSyncResult.Failed(FailureKind.TRANSIENT, hostName + ": unreadable answer: " + e.getMessage(),
                    null, session.rateLimit, session.freeRequests);
        } catch (HostProblem problem) {
            return switch (problem.result()) {
                case SyncResult.Gone gone -> new RepoSyncResult.NotFound(gone.message().replace(
                        "the changeset or its repository no longer exists", "the repository no longer exists"),
                        gone.rateLimit(), session.freeRequests);
                case SyncResult.Failed failed -> new RepoSyncResult.Failed(failed.kind(), failed.message(),
                        failed.retryAfter(), failed.rateLimit(), session.freeRequests);
                case SyncResult.Completed other -> throw new IllegalStateException("a host problem cannot be " + other);
            };
        }
    }

    private static SyncResult outcome(HostSession session, Sync sync) throws InterruptedException {
        String hostName = session.hostName;
        try {
            return sync.run(session);
        } catch (HostCallException e) {
            return new SyncResult.Failed(FailureKind.TRANSIENT, hostName + ": " + e.getMessage(), null, session.rateLimit);
        } catch (UnreadableResponseException e) {
            return new SyncResult.Failed(FailureKind.TRANSIENT, hostName + ": unreadable answer: " + e.getMessage(), null,
                    session.rateLimit);
        } catch (HostProblem problem) {
            return problem.result();
        }
    }

    /** A GET whose answer must be a success or a 304; anything else ends the sync. */
    public HostResponse get(URI uri, String etag) throws HostCallException, InterruptedException {
        return check(send(uri, etag));
    }

    /** A GET whose answer the caller looks at before {@link #check}ing it (redirects inside the scope followed). */
    public HostResponse send(URI uri, String etag) throws HostCallException, InterruptedException {
        URI target = uri;
        for (int redirects = 0; ; redirects++) {
            if (!scope.contains(target)) {
                throw outOfScope(redirects == 0 ? "a request to " : "a redirect to ", target);
            }
            HostResponse response = sendOnce(target, etag);
            Optional<URI> location = redirection(response);
            if (location.isEmpty()) {
                return response;
            }
            if (redirects >= MAX_REDIRECTS) {
                throw new HostProblem(new SyncResult.Failed(FailureKind.TRANSIENT, hostName + ": " + response.describe()
                        + " redirected more than " + MAX_REDIRECTS + " times in a row", null, rateLimit));
            }
            target = location.get();
        }
    }

    private HostResponse sendOnce(URI uri, String etag) throws HostCallException, InterruptedException {
        Map<String, String> request = headers;
        Map<String, String> caller = SyncCaller.headers();
        if (etag != null || !caller.isEmpty()) {
            request = new HashMap<>(headers);
            request.putAll(caller);
            if (etag != null) {
                request.put("If-None-Match", etag);
            }
        }
        HostResponse response = http.get(uri, request);
        RateLimitStatus reported = RateLimitHeaders.status(response);
        if (reported != null) {
            rateLimit = reported;
        }
        if (response.notModified() && notModified == NotModified.FREE) {
            freeRequests++;
        }
        return response;
    }

    /**
     * A GET of something the sync needs but whose absence does not mean the repository or changeset
     * is gone (a pull request list): a 404 or 410 ends the sync as a transient failure, not as gone.
     */
    public HostResponse getPresent(URI uri, String etag, String what) throws HostCallException, InterruptedException {
        HostResponse response = send(uri, etag);
        if (response.status() == 404 || response.status() == 410) {
            throw new HostProblem(new SyncResult.Failed(FailureKind.TRANSIENT, hostName + " answered "
                    + response.status() + " to " + response.describe() + " (" + what + "), though the repository exists",
                    null, rateLimit));
        }
        return check(response);
    }

    /** Where a redirect points (resolved against the request), if the answer is one. */
    private Optional<URI> redirection(HostResponse response) {
        int status = response.status();
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            return Optional.empty();
        }
        Optional<String> location = response.header("location");
        if (location.isEmpty()) {
            return Optional.empty(); // a redirect without a target: classified like any other answer
        }
        try {
            return Optional.of(response.uri().resolve(new URI(location.get().strip())));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new HostProblem(new SyncResult.Failed(FailureKind.TRANSIENT, hostName + ": " + response.describe()
                    + " redirected to something that is not a URL", null, rateLimit));
        }
    }

    /** The sync ends: the token goes only to the host's own API. */
    private HostProblem outOfScope(String what, URI target) {
        return new HostProblem(new SyncResult.Failed(FailureKind.TRANSIENT, hostName + ": refused " + what
                + ApiScope.describe(target) + ": it is outside the host's API (" + scope + "), where its token may not go",
                null, rateLimit));
    }

    /** The answer if it is a success or a 304; else the sync ends with what it means. */
    public HostResponse check(HostResponse response) {
        Optional<SyncResult> problem = ResponseProblems.classify(response, hostName, Instant.now());
        if (problem.isPresent()) {
            throw new HostProblem(problem.get());
        }
        return response;
    }

    /**
     * Like {@link #get}, but empty for an endpoint this host (or its tier) does not offer: a 404, or
     * a 403 that is not a rate limit.
     */
    public Optional<HostResponse> getUnlessUnavailable(URI uri) throws HostCallException, InterruptedException {
        HostResponse response = send(uri, null);
        Optional<SyncResult> problem = ResponseProblems.classify(response, hostName, Instant.now());
        if (problem.isEmpty()) {
            return Optional.of(response);
        }
        boolean unavailable = problem.get() instanceof SyncResult.Gone
                || (response.status() == 403 && problem.get() instanceof SyncResult.Failed failed
                        && failed.kind() == FailureKind.UNAUTHORIZED);
        if (unavailable) {
            return Optional.empty();
        }
        throw new HostProblem(problem.get());
    }

    /** How many answers so far the host did not count against its quota (free 304s). */
    public int freeRequests() {
        return freeRequests;
    }

    /** The latest rate-limit status an answer of this sync reported, or null. */
    public RateLimitStatus rateLimit() {
        return rateLimit;
    }

    /** Ends the sync before any request: the target cannot be addressed on this host. */
    public static HostProblem invalidTarget(String hostName, String why) {
        return new HostProblem(new SyncResult.Failed(FailureKind.TRANSIENT, hostName + ": " + why, null, null));
    }
}
