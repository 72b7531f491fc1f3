package dev.changesetsyncer.webhooks;

import dev.changesetsyncer.secrets.Secrets;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret each code host signs its webhooks with, configured like its token, by the host's
 * {@code code_hosts.name}: {@code SYNCER_WEBHOOK_SECRET_<NAME>} (the name upper-cased, every other
 * character an underscore, exactly as for {@code SYNCER_TOKEN_<NAME>}), else a line
 * {@code <name>=<secret>} in the secrets file. The environment wins over the file.
 *
 * <p>While a secret is rotated, a value may hold two secrets separated by whitespace, the new and
 * the old: a delivery signed with either is accepted. Secrets therefore contain no whitespace.
 * Secrets are never logged.
 */
public final class WebhookSecrets {
    public static final String VARIABLE_PREFIX = "SYNCER_WEBHOOK_SECRET_";
    public static final String FILE_VARIABLE = "SYNCER_WEBHOOK_SECRETS_FILE";
    private static final Logger log = LoggerFactory.getLogger(WebhookSecrets.class);

    private final Map<String, List<Secret>> fromEnvironment;
    private final Map<String, List<Secret>> fromFile;

    private WebhookSecrets(Map<String, List<Secret>> fromEnvironment, Map<String, List<Secret>> fromFile) {
        this.fromEnvironment = fromEnvironment;
        this.fromFile = fromFile;
    }

    /**
     * From the environment and, if given (null: none), the secrets file.
     *
     * @throws IllegalArgumentException for an unreadable file or a value with more than two secrets,
     *     naming the variable or the file's line, never the value
     */
    public static WebhookSecrets load(Map<String, String> environment, Path secretsFile) {
        Map<String, List<Secret>> variables = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(VARIABLE_PREFIX) && !value.isBlank()) {
                variables.put(name, parse(value, "the variable " + name));
            }
        });
        Map<String, List<Secret>> lines = new HashMap<>();
        if (secretsFile != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(secretsFile)) {
                file.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the webhook secrets file " + secretsFile + ": "
                        + e.getMessage(), e);
            }
            warnIfReadableByOthers(secretsFile);
            for (String host : file.stringPropertyNames()) {
                String value = file.getProperty(host);
                if (!value.isBlank()) {
                    lines.put(host, parse(value, "the line for " + host + " in " + secretsFile));
                }
            }
        }
        return new WebhookSecrets(Map.copyOf(variables), Map.copyOf(lines));
    }

    /** Secrets given directly, by code host name (the demo, tests); a value may hold two, as above. */
    public static WebhookSecrets of(Map<String, String> byCodeHostName) {
        Map<String, List<Secret>> lines = new HashMap<>();
        byCodeHostName.forEach((host, value) -> lines.put(host, parse(value, "the secret of " + host)));
        return new WebhookSecrets(Map.of(), Map.copyOf(lines));
    }

    /** The variable that holds a code host's webhook secret(s), e.g. {@code SYNCER_WEBHOOK_SECRET_GITHUB_COM}. */
    public static String variableFor(String codeHostName) {
        return VARIABLE_PREFIX + codeHostName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The secrets a delivery for this code host may be signed with: one, or two while rotating; empty if none. */
    Optional<List<Secret>> forHost(String codeHostName) {
        List<Secret> secrets = fromEnvironment.get(variableFor(codeHostName));
        if (secrets == null) {
            secrets = fromFile.get(codeHostName);
        }
        return Optional.ofNullable(secrets);
    }

    /** How many values are configured (for the start-up log; never the values). */
    public int configured() {
        return fromEnvironment.size() + fromFile.size();
    }

    private static List<Secret> parse(String value, String where) {
        List<String> parts = Arrays.stream(value.strip().split("\\s+")).toList();
        parts.forEach(Secrets::register); // masked in every message from now on
        if (parts.size() > 2) {
            throw new IllegalArgumentException(where + " holds " + parts.size() + " webhook secrets: give one, or two "
                    + "separated by a space while rotating (the new and the old); a secret contains no whitespace");
        }
        return parts.stream().map(Secret::new).toList();
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.GROUP_READ)) {
                log.warn("the webhook secrets file {} is readable by others: chmod 600 it", file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }
}
