package dev.changesetsyncer.webhooks;

import dev.changesetsyncer.catalog.CodeHostKind;
import org.eclipse.jetty.server.Request;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.jooq.DSLContext;

/**
 * The webhook receivers, one per host format, to mount on the replica's HTTP server:
 * {@code routes.post(Webhooks.GITHUB_PATH, webhooks.github())}, and so on. Hosts of kind
 * {@code simulated} imitate GitHub, so their webhooks come to {@link #GITHUB_PATH} too.
 */
public final class Webhooks {
    public static final String GITHUB_PATH = "/webhooks/github";
    public static final String GITLAB_PATH = "/webhooks/gitlab";
    public static final String BITBUCKET_SERVER_PATH = "/webhooks/bitbucket-server";

    private final CodeHostDirectory hosts;
    private final WebhookSecrets secrets;
    private final WebhookStore store;
    private final WebhookCounts counts;

    /** @param dsl the database, through a pool of the HTTP server's own */
    public Webhooks(DSLContext dsl, WebhookSecrets secrets) {
        this(dsl, secrets, new CompositeMeterRegistry()); // a registry of nothing: counts only
    }

    /** @param registry where the deliveries are counted too, as {@code syncer_webhook_deliveries_total{code_host,status}} */
    public Webhooks(DSLContext dsl, WebhookSecrets secrets, MeterRegistry registry) {
        this.hosts = new CodeHostDirectory(dsl);
        this.secrets = secrets;
        this.store = new WebhookStore(dsl);
        this.counts = new WebhookCounts(registry);
    }

    public Request.Handler github() {
        return receiver(new GitHubDialect());
    }

    public Request.Handler gitlab() {
        return receiver(new GitLabDialect());
    }

    public Request.Handler bitbucketServer() {
        return receiver(new BitbucketServerDialect());
    }

    /** Deliveries answered so far, by code host and status. */
    public WebhookCounts counts() {
        return counts;
    }

    /** Where a code host of this kind sends its webhooks. */
    public static String pathFor(CodeHostKind kind) {
        return switch (kind) {
            case GITHUB, SIMULATED -> GITHUB_PATH;
            case GITLAB -> GITLAB_PATH;
            case BITBUCKET_SERVER -> BITBUCKET_SERVER_PATH;
        };
    }

    private Request.Handler receiver(WebhookDialect dialect) {
        return new WebhookReceiver(dialect, hosts, secrets, store, counts);
    }
}
