package dev.changesetsyncer.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** A dedicated connection that LISTENs on one channel, for asserting on NOTIFYs. */
public final class NotificationListener implements AutoCloseable {
    private final Connection connection;

    public NotificationListener(String jdbcUrl, String channel) throws SQLException {
        connection = DriverManager.getConnection(jdbcUrl);
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + channel);
        }
    }

    /** Every notification that arrives within {@code millis} (waits the whole time). */
    public List<PGNotification> collect(int millis) throws SQLException {
        List<PGNotification> received = new ArrayList<>();
        long deadline = System.currentTimeMillis() + millis;
        PGConnection pg = connection.unwrap(PGConnection.class);
        for (long left = millis; left > 0; left = deadline - System.currentTimeMillis()) {
            PGNotification[] batch = pg.getNotifications((int) left);
            if (batch != null) {
                received.addAll(List.of(batch));
            }
        }
        return received;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
