package org.communityguard.hub.storage;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * What a failed statement says about the data it was given. The one place that decides whether
 * trying again can help (the database is down, slow, or lost a race) or whether the same rows
 * will be refused every time (PostgreSQL's SQLSTATE classes 22 data exception, 23 integrity
 * constraint violation, 54 program limit exceeded, such as a too deeply nested jsonb).
 */
public final class SqlErrors {

    private SqlErrors() {
    }

    /**
     * True when the database refused the data itself: the same rows fail the same way however
     * often they are sent. Everything else (connection lost, timeouts, serialization failures,
     * deadlocks, a full disk, missing permissions) is worth retrying and never blamed on a row.
     */
    public static boolean refusedData(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().length() == 5) {
                String sqlClass = s.getSQLState().substring(0, 2);
                if (sqlClass.equals("22") || sqlClass.equals("23") || sqlClass.equals("54")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * True when the connection itself failed (SQLSTATE class 08: lost, reset, or silent past its
     * network timeout): nothing more can be said on it, not even a rollback.
     */
    public static boolean connectionLost(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The SQLSTATE and the server's primary message, without its DETAIL line (which quotes the
     * refused row: too long for a PUBACK reason string, and not the hub's to echo).
     */
    public static String describe(SQLException e) {
        String message = e.getMessage();
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage server = p.getServerErrorMessage();
            message = server.getMessage();
        }
        message = message == null ? "" : message.lines().findFirst().orElse("");
        return "SQLSTATE " + e.getSQLState() + ": " + (message.length() <= 120 ? message : message.substring(0, 120) + "...");
    }
}
