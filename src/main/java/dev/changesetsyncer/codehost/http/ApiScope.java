package dev.changesetsyncer.codehost.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where a host's token may go: its API's scheme, host, port and path, e.g.
 * {@code https://ghe.example.com/api/v3}. Pagination links and redirects are followed only inside it,
 * so a host (or anyone who can answer for it) cannot send our Authorization header elsewhere, nor
 * downgrade it to plain HTTP. Plain {@code http://} is refused except on loopback (local test
 * servers), where the token never leaves the machine.
 */
public record ApiScope(String scheme, String host, int port, String path) {
    /**
     * @param apiBase the API's root, {@code https://host[:port][/path]}
     * @throws IllegalArgumentException for a URL that is not https (or http on loopback), carries a
     *     user name or password, or has a query or fragment
     */
    public static ApiScope of(String apiBase) {
        URI uri;
        try {
            uri = new URI(apiBase.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the code host's URL is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("the code host's URL must be https://host/..., got " + withoutUserInfo(uri));
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("the code host's URL must not carry a user name or password: "
                    + "the token is the only credential (" + withoutUserInfo(uri) + ")");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("the code host's URL must have no query or fragment: " + withoutUserInfo(uri));
        }
        if (scheme.equals("http") && !loopback(uri.getHost())) {
            throw new IllegalArgumentException("the code host's URL " + withoutUserInfo(uri) + " is plain http: its token "
                    + "would cross the network unencrypted; use https (http is allowed only on loopback)");
        }
        String path = uri.normalize().getRawPath() == null ? "" : uri.normalize().getRawPath().replaceAll("/+$", "");
        return new ApiScope(scheme, uri.getHost().toLowerCase(Locale.ROOT), port(scheme, uri.getPort()), path);
    }

    /** This scope narrowed to a path below it, e.g. {@code /api/v4} of a GitLab instance. */
    public ApiScope below(String subPath) {
        return new ApiScope(scheme, host, port, path + subPath.replaceAll("/+$", ""));
    }

    /** Whether a request to {@code uri} may carry the token: same scheme, host and port, a path inside ours. */
    public boolean contains(URI uri) {
        if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null) {
            return false;
        }
        String candidate = uri.getRawPath() == null ? "" : uri.getRawPath();
        // no way out of the path by dot segments, plain or percent-encoded
        if (candidate.contains("/../") || candidate.endsWith("/..") || candidate.toLowerCase(Locale.ROOT).contains("%2e")) {
            return false;
        }
        String otherScheme = uri.getScheme().toLowerCase(Locale.ROOT);
        return otherScheme.equals(scheme)
                && uri.getHost().toLowerCase(Locale.ROOT).equals(host)
                && port(otherScheme, uri.getPort()) == port
                && (path.isEmpty() || candidate.equals(path) || candidate.startsWith(path + "/"));
    }

    @Override
    public String toString() {
        boolean defaultPort = port == port(scheme, -1);
        return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port) + path;
    }

    /** A URI fit for messages: no user name or password, no query. */
    public static String describe(URI uri) {
        return uri.getScheme() + "://" + (uri.getHost() == null ? uri.getRawAuthority() : hostAndPort(uri))
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static String withoutUserInfo(URI uri) {
        return uri.getHost() == null ? uri.getScheme() + ":..." : describe(uri);
    }

    private static String hostAndPort(URI uri) {
        return uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    private static int port(String scheme, int port) {
        return port >= 0 ? port : scheme.equals("https") ? 443 : 80;
    }

    /** A name or address of this machine: {@code localhost}, 127.x.y.z or ::1 (no name lookup). */
    static boolean loopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false; // a name: never looked up here
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
