package io.promptq.http;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes a connection whose request line and headers are still arriving after the header timeout (a slowloris
 * client keeps the idle timeout from firing by sending a byte now and then). Each connection is checked every
 * timeout: one found in the middle of the same request's headers at two checks in a row is closed, so headers
 * get between one and two timeouts. One scheduled task per open connection, none per request.
 */
final class HeaderTimeout implements Connection.Listener {

    private final Scheduler scheduler;
    private final long timeoutMillis;

    HeaderTimeout(Scheduler scheduler, long timeoutMillis) {
        this.scheduler = scheduler;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            schedule(http, -1);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        // the next check sees the closed end point and stops
    }

    private void schedule(HttpConnection connection, long requestsAtLastCheck) {
        scheduler.schedule(() -> check(connection, requestsAtLastCheck), timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void check(HttpConnection connection, long requestsAtLastCheck) {
        if (!connection.getEndPoint().isOpen()) {
            return;
        }
        HttpParser parser = connection.getParser();
        boolean readingHeaders = !parser.isStart() && parser.inHeaderState();
        long requests = connection.getMessagesIn();
        if (readingHeaders && requests == requestsAtLastCheck) {
            connection.getEndPoint().close();
            return;
        }
        schedule(connection, readingHeaders ? requests : -1);
    }
}
