package dev.changesetsyncer.db;

import java.time.Duration;
import org.jooq.impl.AbstractConverter;
import org.jooq.types.YearToSecond;

/**
 * Postgres {@code interval} as {@link Duration}. Our intervals are delays (seconds to days); a
 * month part, which has no fixed length, is read as 30 days like Postgres's own comparisons do.
 */
public final class IntervalConverter extends AbstractConverter<YearToSecond, Duration> {
    private static final long serialVersionUID = 1L;

    public IntervalConverter() {
        super(YearToSecond.class, Duration.class);
    }

    @Override
    public Duration from(YearToSecond interval) {
        return interval == null ? null : interval.toDuration();
    }

    @Override
    public YearToSecond to(Duration duration) {
        return duration == null ? null : YearToSecond.valueOf(duration);
    }
}
