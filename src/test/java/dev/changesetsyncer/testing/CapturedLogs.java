package dev.changesetsyncer.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;

/**
 * Every log line written while open, formatted by the configured layout's own converters (the
 * scrubbing {@code %msg} and {@code %ex}), exactly as an operator would read them.
 */
public final class CapturedLogs implements AutoCloseable {
    private final ByteArrayOutputStream lines = new ByteArrayOutputStream();
    private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    private final Logger root;

    public CapturedLogs() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%-5level %logger{20} - %msg%n%ex");
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        appender.setContext(context);
        appender.setName("captured-" + System.identityHashCode(this));
        appender.setEncoder(encoder);
        appender.setOutputStream(lines);
        appender.start();
        root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
    }

    /** What was logged so far. */
    public String text() {
        return lines.toString(StandardCharsets.UTF_8); // (synchronized, like the appender's writes)
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
