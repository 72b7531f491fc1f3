package dev.changesetsyncer.secrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every secret this process knows — code-host tokens, webhook secrets, the admin and metrics
 * credentials, the database password — so that none is ever written out: {@link #scrub} replaces
 * each with {@value #MASK} in a message before it is logged, stored or printed. Whoever loads a
 * secret registers it; {@link #registerEnvironment} registers the variables that hold secrets by name.
 * Process-wide because the log layout, which no one constructs, needs it.
 */
public final class Secrets {
    public static final String MASK = "***";
    /** Credentials of the admin page and the metrics endpoint, scrubbed wherever they are read. */
    public static final List<String> CREDENTIAL_VARIABLES =
            List.of("SYNCER_ADMIN_TOKEN", "SYNCER_ADMIN_PASSWORD", "SYNCER_METRICS_TOKEN");
    /** Prefixes of variables that hold a secret each (tokens; webhook secrets, two while rotating). */
    public static final List<String> SECRET_VARIABLE_PREFIXES = List.of("SYNCER_TOKEN_", "SYNCER_WEBHOOK_SECRET_");
    /** Shorter values are not masked: they would mask ordinary words (and guard nothing). */
    static final int SHORTEST = 4;

    /** Longest first, so that a secret containing another is masked whole. */
    private static volatile List<String> known = List.of();

    private Secrets() {}

    /** Masks {@code value} (and its URL-encoded form) in every later message; null or blank: nothing. */
    public static void register(String value) {
        if (value == null || value.strip().length() < SHORTEST) {
            return;
        }
        Set<String> forms = new LinkedHashSet<>(List.of(value, value.strip()));
        forms.add(URLEncoder.encode(value.strip(), StandardCharsets.UTF_8));
        synchronized (Secrets.class) {
            Set<String> all = new LinkedHashSet<>(known);
            all.addAll(forms);
            List<String> sorted = new ArrayList<>(all);
            sorted.sort(Comparator.comparingInt(String::length).reversed());
            known = List.copyOf(sorted);
        }
    }

    /**
     * Registers the secrets the environment holds by name: {@link #CREDENTIAL_VARIABLES}, every
     * {@code SYNCER_TOKEN_*} and {@code SYNCER_WEBHOOK_SECRET_*} value (each whitespace-separated
     * part of it), and the password of {@code SYNCER_DATABASE_URL}.
     */
    public static void registerEnvironment(Map<String, String> environment) {
        environment.forEach((name, value) -> {
            if (CREDENTIAL_VARIABLES.contains(name) || SECRET_VARIABLE_PREFIXES.stream().anyMatch(name::startsWith)) {
                register(value);
                for (String part : value.strip().split("\\s+")) {
                    register(part);
                }
            }
        });
    }

    /** The text with every registered secret replaced by {@value #MASK}; null stays null. */
    public static String scrub(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : known) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }
}
