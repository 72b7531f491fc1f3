package dev.changesetsyncer.worker;

import dev.changesetsyncer.db.DatabaseErrors;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * LISTENs for {@code changeset_sync_due} on a dedicated connection (a pooled connection would keep
 * listening after being returned) and wakes the claim loop. A lost connection is re-opened with
 * backoff; after every (re)connect the loop is woken once, since notifications sent meanwhile are
 * gone.
 */
final class WakeupListener implements Runnable {
    static final String CHANNEL = "changeset_sync_due";
    private static final Logger log = LoggerFactory.getLogger(WakeupListener.class);
    private static final int RECEIVE_TIMEOUT_MILLIS = 500;
    private static final long LIVENESS_CHECK_NANOS = Duration.ofSeconds(5).toNanos();

    private final String workerId;
    private final String jdbcUrl;
    private final Runnable wakeup;
    private final WorkerMetrics metrics;
    private volatile boolean running = true;
    private volatile Connection connection;
    private volatile long lastTurn = System.nanoTime();

    /** @param wakeup what to do on a NOTIFY, and after every (re)connect */
    WakeupListener(String workerId, String jdbcUrl, Runnable wakeup, WorkerMetrics metrics) {
        this.workerId = workerId;
        this.jdbcUrl = jdbcUrl;
        this.wakeup = wakeup;
        this.metrics = metrics;
    }

    /** The listener's last turn (System.nanoTime()): every half second while listening, every reconnect attempt otherwise. */
    long lastTurnNanos() {
        return lastTurn;
    }

    void stop() {
        running = false;
        Connection current = connection;
        if (current != null) {
            try {
                current.close();
            } catch (SQLException ignored) {
                // closing to unblock the receive; nothing to do
            }
        }
    }

    @Override
    public void run() {
        MDC.put("worker", workerId);
        Backoff backoff = new Backoff();
        while (running) {
            lastTurn = System.nanoTime();
            try (Connection listening = open()) {
                connection = listening;
                backoff.reset();
                listen(listening);
            } catch (SQLException e) {
                if (!running) {
                    break;
                }
                metrics.databaseErrors.increment();
                Duration pause = backoff.next();
                log.warn("lost the LISTEN connection, reconnecting in {} ms (polling meanwhile): {}", pause.toMillis(),
                        DatabaseErrors.brief(e));
                wakeup.run();
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    break;
                }
            }
        }
        MDC.remove("worker");
    }

    private Connection open() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("ApplicationName", workerId + "-listener");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("socketTimeout", "30"); // the liveness check must not hang on a dead peer
        Connection opened = DriverManager.getConnection(jdbcUrl, properties);
        try (Statement statement = opened.createStatement()) {
            statement.execute("LISTEN " + CHANNEL);
        } catch (SQLException | RuntimeException e) {
            opened.close();
            throw e;
        }
        return opened;
    }

    private void listen(Connection listening) throws SQLException {
        PGConnection pg = listening.unwrap(PGConnection.class);
        log.debug("listening on {}", CHANNEL);
        wakeup.run();
        long lastCheck = System.nanoTime();
        while (running) {
            lastTurn = System.nanoTime();
            PGNotification[] received = pg.getNotifications(RECEIVE_TIMEOUT_MILLIS);
            if (received != null && received.length > 0) {
                wakeup.run();
            }
            if (System.nanoTime() - lastCheck > LIVENESS_CHECK_NANOS) {
                // a half-open TCP connection would otherwise go unnoticed
                try (Statement statement = listening.createStatement()) {
                    statement.execute("SELECT 1");
                }
                lastCheck = System.nanoTime();
            }
        }
    }
}
