package dev.changesetsyncer.simhost;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** A page of a list: {@code per_page} (1 to 100, default 30) and {@code page} (from 1). */
record ListPage(int number, int perPage, int total) {
    static ListPage of(Map<String, String> query, int total) {
        int perPage = Math.clamp(number(query.get("per_page"), 30), 1, 100);
        int page = Math.max(1, number(query.get("page"), 1));
        return new ListPage(page, perPage, total);
    }

    int from() {
        return (int) Math.min(total, (long) (number - 1) * perPage);
    }

    int to() {
        return (int) Math.min(total, (long) number * perPage);
    }

    int last() {
        return Math.max(1, (total + perPage - 1) / perPage);
    }

    /** GitHub's {@code Link} header: next and last while there are more pages, prev and first after the first. */
    Optional<String> links(String base, Map<String, String> query) {
        Function<Integer, String> url = n -> {
            Map<String, String> params = new LinkedHashMap<>(query);
            params.put("page", String.valueOf(n));
            StringBuilder link = new StringBuilder(base);
            char separator = '?';
            for (Map.Entry<String, String> param : params.entrySet()) {
                link.append(separator).append(encode(param.getKey())).append('=').append(encode(param.getValue()));
                separator = '&';
            }
            return "<" + link + ">";
        };
        StringBuilder links = new StringBuilder();
        if (number > 1) {
            links.append(url.apply(number - 1)).append("; rel=\"prev\", ").append(url.apply(1)).append("; rel=\"first\"");
        }
        if (number < last()) {
            if (!links.isEmpty()) {
                links.append(", ");
            }
            links.append(url.apply(number + 1)).append("; rel=\"next\", ").append(url.apply(last())).append("; rel=\"last\"");
        }
        return links.isEmpty() ? Optional.empty() : Optional.of(links.toString());
    }

    private static int number(String value, int otherwise) {
        try {
            return value == null ? otherwise : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
