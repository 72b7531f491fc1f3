package dev.changesetsyncer.testing;

import dev.changesetsyncer.codehost.http.HostHttp;
import java.time.Duration;

/**
 * HTTP settings for tests against local servers. A test that expects an answer gets a patient
 * client: on a loaded two-core CI machine a local server's first answer can take seconds (JIT,
 * GC), and a short request timeout turned that into a failed sync. Only tests that want the
 * timeout use the impatient client, against an answer delayed by {@link #SLOW_ANSWER}.
 */
public final class TestHttp {
    /** Far beyond any local answer, however loaded the machine. */
    public static final Duration PATIENT = Duration.ofSeconds(30);
    /** The request timeout of the tests that want a timeout. */
    public static final Duration IMPATIENT = Duration.ofMillis(800);
    /** How long a "slow" server waits before answering: well past {@link #IMPATIENT}. */
    public static final Duration SLOW_ANSWER = IMPATIENT.multipliedBy(4);

    private static final Duration CONNECT = Duration.ofSeconds(10);

    private TestHttp() {}

    public static HostHttp patient(int attempts) {
        return new HostHttp(new HostHttp.Settings(CONNECT, PATIENT, attempts));
    }

    public static HostHttp patient(int attempts, long maxResponseBytes) {
        return new HostHttp(new HostHttp.Settings(CONNECT, PATIENT, attempts, maxResponseBytes));
    }

    public static HostHttp impatient(int attempts) {
        return new HostHttp(new HostHttp.Settings(CONNECT, IMPATIENT, attempts));
    }

    public static HostHttp impatient(int attempts, long maxResponseBytes) {
        return new HostHttp(new HostHttp.Settings(CONNECT, IMPATIENT, attempts, maxResponseBytes));
    }

    /** {@link #SLOW_ANSWER} in milliseconds, as WireMock's fixed delay takes it. */
    public static int slowAnswerMillis() {
        return Math.toIntExact(SLOW_ANSWER.toMillis());
    }
}
