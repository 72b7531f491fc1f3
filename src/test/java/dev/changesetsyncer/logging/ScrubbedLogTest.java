package dev.changesetsyncer.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.secrets.Secrets;
import dev.changesetsyncer.testing.CapturedLogs;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The log layout itself masks secrets and escapes control characters, in messages and in stack traces. */
class ScrubbedLogTest {
    private static final Logger log = LoggerFactory.getLogger(ScrubbedLogTest.class);

    @Test
    void aSecretInAMessageOrAnExceptionIsMaskedAndEscapeCodesAreShownEscaped() {
        Secrets.register("s3cret-in-a-log-line");
        try (CapturedLogs logs = new CapturedLogs()) {
            log.warn("host said {}", "token s3cret-in-a-log-line\u001b[2J\nFAKE forged line");
            log.error("failed", new IllegalStateException("invalid header value: \"Bearer s3cret-in-a-log-line\""));

            assertThat(logs.text()).contains("host said token ***\\x1B[2J FAKE forged line")
                    .contains("invalid header value: \"Bearer ***\"").contains("at dev.changesetsyncer.logging")
                    .doesNotContain("s3cret-in-a-log-line").doesNotContain("\u001b");
        }
    }

    @Test
    void aLogLevelLogbackDoesNotKnowIsAClearErrorNotDebug() {
        assertThat(LogLevel.problem(Map.of(LogLevel.VARIABLE, "garbage")))
                .hasValue("SYNCER_LOG_LEVEL must be one of OFF, ERROR, WARN, INFO, DEBUG, TRACE, got \"garbage\"");
        assertThat(LogLevel.problem(Map.of(LogLevel.VARIABLE, "debug"))).isEmpty();
        assertThat(LogLevel.problem(Map.of())).isEmpty();
    }
}
