package dev.changesetsyncer.codehost.github;

import dev.changesetsyncer.codehost.http.HostResponse;
import dev.changesetsyncer.codehost.http.UnreadableResponseException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's pagination: {@code Link: <https://...&page=2>; rel="next", <...>; rel="last"}. The link
 * is the host's to give, not ours to trust: where it may lead is checked when it is followed.
 */
final class GitHubLinks {
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

    private GitHubLinks() {}

    static Optional<URI> next(HostResponse response) {
        return response.header("link").flatMap(link -> {
            Matcher m = NEXT.matcher(link);
            if (!m.find()) {
                return Optional.empty();
            }
            try {
                return Optional.of(response.uri().resolve(new URI(m.group(1).strip())));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new UnreadableResponseException(response.describe() + ": its Link header's next page is not a URL");
            }
        });
    }
}
