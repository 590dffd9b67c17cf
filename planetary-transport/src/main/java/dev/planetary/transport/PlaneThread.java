package dev.planetary.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * A thread of the {@link ReceivePlane} or the {@link HandshakePlane}: a platform thread that runs
 * the engine on datagrams and keeps the little state that belongs to it alone.
 */
final class PlaneThread extends Thread {
    /** Sessions the engine expired while this thread was inside a receive: closed once the datagram's event is handled. */
    final List<PeerSession> expired = new ArrayList<>();
    /** The last source {@link UdpRemote}: reused while datagrams keep coming from one address. */
    UdpRemote lastSource;
    /** True once this thread raised its nice value ({@link ThreadNice}): threads it would start inherit it. */
    volatile boolean niced;

    PlaneThread(String name, Runnable body) {
        super(body, name);
        setDaemon(true);
    }

    /** The plane thread running the caller, or null (a user or timer thread). */
    static PlaneThread current() {
        return Thread.currentThread() instanceof PlaneThread p ? p : null;
    }
}
