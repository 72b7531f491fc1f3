package dev.changesetsyncer.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.changesetsyncer.secrets.Secrets;
import java.nio.charset.StandardCharsets;

/**
 * Logback's own JSON encoder, one object per line, with every known secret masked as in the text
 * layout (messages quote hosts' answers). Control characters are escaped by the JSON encoding itself.
 * Fields: timestamp, level, threadName, loggerName, mdc (the worker), formattedMessage and throwable;
 * not the message template and its arguments (the formatted message has them), nor Logback's context.
 */
public final class ScrubbedJsonEncoder extends JsonEncoder {
    public ScrubbedJsonEncoder() {
        setWithSequenceNumber(false);
        setWithNanoseconds(false);
        setWithContext(false);
        setWithMessage(false);
        setWithArguments(false);
        setWithFormattedMessage(true);
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return Secrets.scrub(new String(super.encode(event), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }
}
