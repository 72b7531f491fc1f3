package dev.changesetsyncer.demo;

import dev.changesetsyncer.http.HttpSettings;

/**
 * The demo's HTTP server.
 *
 * @param anyPortIfBusy when the port is taken, listen on any free one instead of failing (the
 *     port was only the default, not chosen)
 */
public record DemoHttp(HttpSettings settings, boolean anyPortIfBusy) {}
