package dev.changesetsyncer.admin;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fields of a form body or a query string ({@code application/x-www-form-urlencoded}). */
public final class FormFields {
    private final Map<String, List<String>> values;

    private FormFields(Map<String, List<String>> values) {
        this.values = values;
    }

    /** @throws IllegalArgumentException for text that is not URL-encoded */
    public static FormFields parse(String encoded) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (encoded != null && !encoded.isEmpty()) {
            for (String pair : encoded.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        return new FormFields(values);
    }

    /** The first value of the field, or null. */
    public String first(String name) {
        List<String> all = values.get(name);
        return all == null || all.isEmpty() ? null : all.getFirst();
    }

    /** A checkbox: present and not "off"/"false". */
    public boolean flag(String name) {
        String value = first(name);
        return value != null && !value.equalsIgnoreCase("off") && !value.equalsIgnoreCase("false");
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
