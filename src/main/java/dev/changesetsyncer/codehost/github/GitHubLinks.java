package dev.changesetsyncer.codehost.github;

import dev.changesetsyncer.codehost.http.HostResponse;
import java.net.URI;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** GitHub's pagination: {@code Link: <https://...&page=2>; rel="next", <...>; rel="last"}. */
final class GitHubLinks {
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

    private GitHubLinks() {}

    static Optional<URI> next(HostResponse response) {
        return response.header("link").flatMap(link -> {
            Matcher m = NEXT.matcher(link);
            return m.find() ? Optional.of(URI.create(m.group(1))) : Optional.empty();
        });
    }
}
