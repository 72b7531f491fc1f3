package dev.changesetsyncer.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T10:00:00Z"));
    final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void tenFailuresWithinTheWindowShutTheAddressOutUntilTheWindowEnds() {
        for (int i = 1; i < LoginThrottle.FAILURES_ALLOWED; i++) {
            assertThat(throttle.failed("10.0.0.1")).as("failure " + i).isFalse();
            clock.advance(Duration.ofSeconds(10));
        }
        assertThat(throttle.waitFor("10.0.0.1")).isEmpty();
        assertThat(throttle.failed("10.0.0.1")).as("the tenth uses the allowance up").isTrue();

        assertThat(throttle.waitFor("10.0.0.1")).as("the window began at the first failure, 90 s ago")
                .hasValue(LoginThrottle.WINDOW.minusSeconds(90));
        assertThat(throttle.waitFor("10.0.0.2")).as("another address").isEmpty();

        clock.advance(LoginThrottle.WINDOW.minusSeconds(91));
        assertThat(throttle.waitFor("10.0.0.1")).hasValue(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.waitFor("10.0.0.1")).isEmpty();
        assertThat(throttle.failed("10.0.0.1")).as("a new window: one failure").isFalse();
        assertThat(throttle.waitFor("10.0.0.1")).isEmpty();
    }

    @Test
    void failuresInAnEndedWindowAreForgotten() {
        for (int i = 1; i < LoginThrottle.FAILURES_ALLOWED; i++) {
            throttle.failed("10.0.0.1");
        }
        clock.advance(LoginThrottle.WINDOW);

        assertThat(throttle.failed("10.0.0.1")).isFalse();
        assertThat(throttle.waitFor("10.0.0.1")).isEmpty();
    }

    @Test
    void aSuccessfulLogInForgetsTheAddressesFailures() {
        for (int i = 1; i < LoginThrottle.FAILURES_ALLOWED; i++) {
            throttle.failed("10.0.0.1");
        }
        throttle.succeeded("10.0.0.1");

        for (int i = 1; i < LoginThrottle.FAILURES_ALLOWED; i++) {
            assertThat(throttle.failed("10.0.0.1")).isFalse();
        }
        assertThat(throttle.waitFor("10.0.0.1")).isEmpty();
    }

    @Test
    void pastTheAddressesItRemembersNewAddressesShareOneAllowanceUntilOldWindowsEnd() {
        for (int i = 0; i < LoginThrottle.ADDRESSES_TRACKED; i++) {
            throttle.failed("guesser-" + i);
        }
        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < LoginThrottle.FAILURES_ALLOWED; i++) {
            throttle.failed("newcomer-" + i);
        }

        assertThat(throttle.waitFor("newcomer-x")).as("the shared allowance is used up")
                .hasValue(LoginThrottle.WINDOW);
        assertThat(throttle.waitFor("guesser-1")).as("a remembered address keeps its own count").isEmpty();

        clock.advance(LoginThrottle.WINDOW.minusMinutes(1));
        assertThat(throttle.waitFor("newcomer-x")).as("the old windows ended: room again").isEmpty();
    }
}
