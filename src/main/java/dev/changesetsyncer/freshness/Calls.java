package dev.changesetsyncer.freshness;

/**
 * The API calls of a run's attempts within the simulated period (one class of changesets, or all).
 *
 * @param attempts sync attempts
 * @param failed of those, failed ones
 * @param billable calls that count against GitHub's primary limit, with conditional requests
 * @param conditional conditional calls answered 304 (free on GitHub's primary limit)
 * @param billableWithoutConditional calls without conditional requests (all count)
 * @param billableAppToken with conditional requests and hourly app tokens (an ETag does not outlive its token)
 * @param conditionalAppToken the 304s left with hourly app tokens
 */
public record Calls(long attempts, long failed, long billable, long conditional, long billableWithoutConditional,
        long billableAppToken, long conditionalAppToken) {
    static final Calls NONE = new Calls(0, 0, 0, 0, 0, 0, 0);
}
