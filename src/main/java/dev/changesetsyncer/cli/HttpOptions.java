package dev.changesetsyncer.cli;

import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.webhooks.WebhookSecrets;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The replica's HTTP server (webhooks), shared by {@code run} and {@code demo}. */
final class HttpOptions {
    static final String PORT_VARIABLE = "SYNCER_HTTP_PORT";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "${env:" + PORT_VARIABLE + ":-" + HttpSettings.DEFAULT_PORT + "}",
            description = "Port of the HTTP server that receives webhooks (default: $" + PORT_VARIABLE + ", else "
                    + HttpSettings.DEFAULT_PORT + "; 0 = any free port, printed at start).")
    int port;

    @Option(names = "--no-http", defaultValue = "${env:SYNCER_NO_HTTP:-false}",
            description = "Run without the HTTP server (no webhooks, metrics or health; the poll still finds every change) "
                    + "(or $SYNCER_NO_HTTP=true).")
    boolean disabled;

    @Option(names = "--webhook-secrets-file", paramLabel = "FILE", defaultValue = "${env:" + WebhookSecrets.FILE_VARIABLE + "}",
            description = "Webhook secrets as <code host name>=<secret> lines (default: $" + WebhookSecrets.FILE_VARIABLE
                    + "; SYNCER_WEBHOOK_SECRET_<NAME> variables override it).")
    Path secretsFile;

    /** The server's settings; empty with {@code --no-http}. */
    Optional<HttpSettings> settings() {
        return disabled ? Optional.empty() : Optional.of(HttpSettings.onPort(port));
    }

    /** True when the port was chosen (option or variable), not the default. */
    boolean portChosen() {
        return spec.commandLine().getParseResult().hasMatchedOption("--http-port") || System.getenv(PORT_VARIABLE) != null;
    }

    /** The webhook secrets from this process's environment and the secrets file, if any. */
    WebhookSecrets secrets() {
        Path file = secretsFile;
        if (file == null && System.getenv(WebhookSecrets.FILE_VARIABLE) != null) {
            file = Path.of(System.getenv(WebhookSecrets.FILE_VARIABLE));
        }
        return WebhookSecrets.load(System.getenv(), file);
    }
}
