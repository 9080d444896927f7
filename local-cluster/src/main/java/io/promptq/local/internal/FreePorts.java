package io.promptq.local.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks free TCP ports on 127.0.0.1: binds port 0, reads the port the OS chose, closes the socket.
 *
 * <p>The port is free when returned but not reserved; callers retry with a new port when the real
 * bind fails. Ports handed out once are never handed out again by this JVM, so two servers started
 * in parallel cannot be given the same port.
 */
public final class FreePorts {

    /** The only address local servers listen on. */
    public static final String LOOPBACK_HOST = "127.0.0.1";

    private static final int MAX_ATTEMPTS = 100;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** The IPv4 loopback address, without any name lookup. */
    public static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(LOOPBACK_HOST, new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot happen: literal IPv4 address rejected", e);
        }
    }

    /** Returns a port that was free on 127.0.0.1 a moment ago and was not handed out before. */
    public static int next() {
        IOException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(loopback(), 0));
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no free TCP port on " + LOOPBACK_HOST + " after " + MAX_ATTEMPTS + " attempts", last);
    }

    /** True if a server socket can be bound to {@code 127.0.0.1:port} right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(loopback(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
