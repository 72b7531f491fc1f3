package dev.changesetsyncer.codehost.gitlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.codehost.http.HostCallException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How often the archived flag of a project is read, with a clock the test moves. */
class GitLabArchivedFlagsTest {
    final AtomicLong nanos = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
    final GitLabArchivedFlags flags = new GitLabArchivedFlags(nanos::get);
    final AtomicInteger reads = new AtomicInteger();

    @Test
    void aFlagIsReadOnceThenRememberedForTenMinutes() throws Exception {
        assertThat(flags.get("1", null, () -> read(false))).isEqualTo(new GitLabArchivedFlags.Flag(false, true));
        nanos.addAndGet(GitLabArchivedFlags.MAX_AGE.toNanos() - 1);
        assertThat(flags.get("1", null, () -> read(true))).isEqualTo(new GitLabArchivedFlags.Flag(false, false));
        nanos.addAndGet(1);
        assertThat(flags.get("1", null, () -> read(true))).isEqualTo(new GitLabArchivedFlags.Flag(true, true));
        assertThat(reads).hasValue(2);
    }

    @Test
    void aDatabaseThatDisagreesMakesItReadAgainAtOnce() throws Exception {
        flags.get("1", false, () -> read(false));

        // another replica found the project archived and the database says so now
        assertThat(flags.get("1", true, () -> read(true))).isEqualTo(new GitLabArchivedFlags.Flag(true, true));
        assertThat(flags.get("1", true, () -> read(true))).as("agreeing again: remembered")
                .isEqualTo(new GitLabArchivedFlags.Flag(true, false));
        assertThat(reads).hasValue(2);
    }

    @Test
    void eachProjectHasItsOwnFlag() throws Exception {
        flags.get("1", null, () -> read(false));

        assertThat(flags.get("group%2Fother", null, () -> read(true)).archived()).isTrue();
        assertThat(reads).hasValue(2);
    }

    @Test
    void whileOneSyncRefreshesAFlagTheOthersUseThePreviousValue() throws Exception {
        flags.get("1", null, () -> read(false));
        nanos.addAndGet(Duration.ofMinutes(11).toNanos());
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
            Future<GitLabArchivedFlags.Flag> refresh = pool.submit(() -> flags.get("1", null, () -> {
                reading.countDown();
                answer.await();
                return read(true);
            }));
            assertThat(reading.await(60, TimeUnit.SECONDS)).isTrue();

            assertThat(flags.get("1", null, () -> read(true))).as("not read a second time")
                    .isEqualTo(new GitLabArchivedFlags.Flag(false, false));

            answer.countDown();
            assertThat(refresh.get(60, TimeUnit.SECONDS)).isEqualTo(new GitLabArchivedFlags.Flag(true, true));
        }
        assertThat(reads).hasValue(2);
        assertThat(flags.get("1", null, () -> read(false))).isEqualTo(new GitLabArchivedFlags.Flag(true, false));
    }

    @Test
    void aFailedReadIsTriedAgainByTheNextSync() throws Exception {
        flags.get("1", null, () -> read(false));
        nanos.addAndGet(Duration.ofMinutes(10).toNanos());

        assertThatThrownBy(() -> flags.get("1", null, () -> {
            throw new HostCallException("GET .../projects/1 timed out", null);
        })).isInstanceOf(HostCallException.class);

        assertThat(flags.get("1", null, () -> read(true))).isEqualTo(new GitLabArchivedFlags.Flag(true, true));
    }

    private boolean read(boolean archived) {
        reads.incrementAndGet();
        return archived;
    }
}
