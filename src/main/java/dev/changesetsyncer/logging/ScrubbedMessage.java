package dev.changesetsyncer.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.changesetsyncer.secrets.SafeText;

/** {@code %msg} of our log layout: every known secret masked, control characters escaped, one line. */
public final class ScrubbedMessage extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return SafeText.of(super.convert(event));
    }
}
