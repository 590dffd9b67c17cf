package dev.planetary.seqex;

import dev.planetary.zssp.DataTooLargeException;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Limits;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.SessionStateException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs SEQEX over a ZSSP session: each SEQEX packet is one ZSSP DATA payload. Feed the session's
 * {@link Event.Data} payloads to {@link Seqex#receive(byte[])} (see {@link #payloadOf}).
 *
 * <p>Sends on a session that is not (or no longer) established are counted and treated as loss:
 * SEQEX resends them once the session is up again, or fails its waiters when the application
 * closes the endpoint.
 */
public final class ZsspCarrier implements Carrier {
    private final Session<?> session;
    private final AtomicLong dropped = new AtomicLong();

    public ZsspCarrier(Session<?> session) {
        this.session = Objects.requireNonNull(session, "session");
    }

    /** A config whose packets fit one ZSSP DATA packet at the session's MTU (capped at 16 KiB per packet). */
    public SeqexConfig fit(SeqexConfig config) {
        return config.withMaxPacketSize(Math.min(config.maxPacketSize(), Limits.maxPayload(session.remote().mtu())));
    }

    /** The SEQEX datagram carried by a ZSSP event, or null if it is not a data event. */
    public static byte[] payloadOf(Object zsspReceived) {
        return zsspReceived instanceof Event.Data<?> d ? d.payload() : null;
    }

    public Session<?> session() {
        return session;
    }

    /** Datagrams not sent because the session was not established or the payload too large. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void send(byte[] payload) {
        send(payload, 0, payload.length);
    }

    @Override
    public void send(byte[] packet, int off, int len) {
        try {
            session.send(packet, off, len);
        } catch (SessionStateException | DataTooLargeException e) {
            dropped.incrementAndGet();
        }
    }

    /** The session encrypts the packet before {@link #send} returns: SEQEX may reuse the array. */
    @Override
    public boolean keepsPackets() {
        return false;
    }
}
