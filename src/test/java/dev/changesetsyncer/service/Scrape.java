package dev.changesetsyncer.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text-format scrape, read back: each series' name, labels and value. */
record Scrape(String text, List<Series> series) {
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Series(String name, Map<String, String> labels, double value) {}

    static Scrape parse(String text) {
        List<Series> series = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String key = line.substring(0, space);
            double value = Double.parseDouble(line.substring(space + 1));
            int brace = key.indexOf('{');
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                Matcher m = LABEL.matcher(key.substring(brace));
                while (m.find()) {
                    labels.put(m.group(1), m.group(2));
                }
            }
            series.add(new Series(brace >= 0 ? key.substring(0, brace) : key, labels, value));
        }
        return new Scrape(text, series);
    }

    /** The series named {@code name} with at least these labels. */
    List<Series> find(String name, Map<String, String> labels) {
        return series.stream().filter(s -> s.name().equals(name))
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    /** Their values added up (0 when there is none). */
    double sum(String name, Map<String, String> labels) {
        return find(name, labels).stream().mapToDouble(Series::value).sum();
    }

    boolean has(String name) {
        return !find(name, Map.of()).isEmpty();
    }
}
