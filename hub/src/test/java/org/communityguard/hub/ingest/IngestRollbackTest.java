package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * How the ingest writer leaves a transaction that failed. A connection that stopped answering
 * (a half-open socket: the read timed out) would make a rollback on it wait for the same timeout
 * once more, so it is aborted (the server rolls back when the connection ends) and the writer
 * retries on a fresh one at once. Seen in deploy/bench.sh faults half-open-db: an alarm stored
 * 13 s after it was sent, a COPY timed out after ingest.db-timeout + 1 s, then its rollback as long.
 */
class IngestRollbackTest {

    private final List<String> calls = new ArrayList<>();
    private final Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                calls.add(method.getName());
                return null;
            });

    @Test
    void aConnectionThatStoppedAnsweringIsAbortedNotRolledBack() {
        PSQLException timedOut = new PSQLException("Database connection failed when ending copy",
                PSQLState.CONNECTION_FAILURE, new SocketTimeoutException("Read timed out"));

        IngestPipeline.rollback(connection, timedOut);

        assertThat(calls).containsExactly("abort");
    }

    @Test
    void aTransactionTheDatabaseRefusedIsRolledBack() {
        PSQLException refused = new PSQLException("unsupported Unicode escape sequence", PSQLState.DATA_ERROR);

        IngestPipeline.rollback(connection, refused);

        assertThat(calls).containsExactly("rollback");
    }
}
