package dev.changesetsyncer.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.changesetsyncer.secrets.SafeText;

/** {@code %ex} of our log layout: a stack trace with every known secret masked (a message may quote one). */
public final class ScrubbedThrowable extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return SafeText.multiline(super.throwableProxyToString(proxy));
    }
}
