package dev.changesetsyncer.codehost;

import dev.changesetsyncer.secrets.Secrets;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One token per code host, by the host's name in {@code code_hosts.name}: from the environment
 * ({@code SYNCER_TOKEN_<NAME>}, the name upper-cased with every other character an underscore:
 * {@code github.com} is {@code SYNCER_TOKEN_GITHUB_COM}), else from a tokens file of
 * {@code <name>=<token>} lines. Tokens are never logged: each one read is registered with
 * {@link Secrets}, which masks it in every message, and a malformed one is reported by where it
 * is, never by its value.
 */
public final class CodeHostCredentials {
    static final String VARIABLE_PREFIX = "SYNCER_TOKEN_";
    private static final Logger log = LoggerFactory.getLogger(CodeHostCredentials.class);
    private final Map<String, String> environment;
    private final Properties file;

    private CodeHostCredentials(Map<String, String> environment, Properties file) {
        this.environment = environment;
        this.file = file;
    }

    /** From this process's environment, and the tokens file if one is given (null: none). */
    public static CodeHostCredentials load(Map<String, String> environment, Path tokensFile) {
        Properties tokens = new Properties();
        if (tokensFile != null) {
            try (Reader reader = Files.newBufferedReader(tokensFile)) {
                tokens.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the tokens file " + tokensFile + ": " + e.getMessage(), e);
            }
            warnIfReadableByOthers(tokensFile);
            tokens.stringPropertyNames().forEach(host -> Secrets.register(tokens.getProperty(host)));
        }
        environment.forEach((name, value) -> {
            if (name.startsWith(VARIABLE_PREFIX)) {
                Secrets.register(value);
            }
        });
        return new CodeHostCredentials(Map.copyOf(environment), tokens);
    }

    public static String variableFor(String codeHostName) {
        return VARIABLE_PREFIX + codeHostName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /**
     * @throws InvalidTokenException when the configured value is no token (a control or invisible
     *     character pasted along), naming the host and where the value is, never the value
     */
    public Optional<Token> tokenFor(String codeHostName) {
        String where = variableFor(codeHostName);
        String value = environment.get(where);
        if (value == null || value.isBlank()) {
            value = file.getProperty(codeHostName);
            where = "the tokens file";
        }
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Token(value));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("the token of code host \"" + codeHostName + "\" (" + where + ") is not "
                    + "usable: " + e.getMessage());
        }
    }

    /**
     * The token of a host whose client cannot work without one.
     *
     * @throws MissingTokenException naming the host and the variable to set
     */
    public Token require(String codeHostName) {
        return tokenFor(codeHostName).orElseThrow(() -> new MissingTokenException("no token for code host \""
                + codeHostName + "\": set " + variableFor(codeHostName) + " or add it to the tokens file"));
    }

    /** A configuration error: the host has no token in this replica's environment or tokens file. */
    public static final class MissingTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingTokenException(String message) {
            super(message);
        }
    }

    /** A configuration error: the host's token has characters no token has (the message never shows it). */
    public static final class InvalidTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidTokenException(String message) {
            super(message);
        }
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.GROUP_READ)) {
                log.warn("the tokens file {} is readable by others: chmod 600 it", file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }
}
