package dev.planetary.vl1.portmap;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Port mapping state machine (VL.md §5.9), sans-IO: the caller sends what {@link #poll} returns to
 * the default gateway's port {@value PortMapMessages#SERVER_PORT}, hands every answer from there to
 * {@link #receive}, and calls {@link #poll} again at {@link #nextDeadline}. Times are milliseconds.
 *
 * <p>PCP MAP first, lifetime {@value #LIFETIME_SECONDS} s; after {@value #TRIES} unanswered tries
 * {@value #TRY_INTERVAL_MS} ms apart (or at once on UNSUPP_VERSION) NAT-PMP (external address and
 * map UDP); after {@value #TRIES} more, failed until {@value #RETRY_AFTER_FAILURE_MS} ms later. A
 * mapping is renewed at half its granted lifetime with the protocol that made it, forgotten when it
 * expires unrenewed, and deleted by {@link #stop}. Not thread-safe.
 */
public final class PortMapper {
    public static final long LIFETIME_SECONDS = 7_200;
    public static final long TRY_INTERVAL_MS = 1_000;
    public static final int TRIES = 3;
    /** Local choice: how long a gateway that answered neither protocol (or refused) is left alone. */
    public static final long RETRY_AFTER_FAILURE_MS = 600_000;

    /** Where the machine is. */
    public enum State { PCP, NATPMP, MAPPED, FAILED, STOPPED }

    private enum Protocol { PCP, NATPMP }

    private final Inet4Address client;
    private final int internalPort;
    private final byte[] nonce;
    private State state = State.PCP;
    private Protocol mappedWith;
    private int tries;
    private long nextAt;
    private InetSocketAddress mapped;
    private long expiresAt;
    private Inet4Address natPmpAddress;
    private int natPmpPort;
    private long natPmpLifetime;
    private long dropped;

    /**
     * @param client       the node's own IPv4 address towards the gateway (PCP client address, RFC 6887 §8.1)
     * @param internalPort the primary port to map
     * @param nonce        12 random bytes (RFC 6887 §11.1 mapping nonce), kept for renewals and the delete
     * @param now          the first try goes out at this time
     */
    public PortMapper(Inet4Address client, int internalPort, byte[] nonce, long now) {
        this.client = Objects.requireNonNull(client, "client address");
        if (internalPort < 1 || internalPort > 0xFFFF) throw new IllegalArgumentException("internal port " + internalPort + " is out of range");
        if (nonce == null || nonce.length != PortMapMessages.NONCE_LENGTH) throw new IllegalArgumentException("mapping nonce must be 12 bytes");
        this.internalPort = internalPort;
        this.nonce = nonce.clone();
        this.nextAt = now;
    }

    public State state() {
        return state;
    }

    /** The gateway's external endpoint for the primary port, while a mapping is granted and not expired. */
    public Optional<InetSocketAddress> mapped() {
        return Optional.ofNullable(mapped);
    }

    /** Answers that were malformed, unexpected or for another mapping (dropped and counted). */
    public long dropped() {
        return dropped;
    }

    /** When {@link #poll} next has something to do ({@link Long#MAX_VALUE}: never). */
    public long nextDeadline() {
        if (state == State.STOPPED) return Long.MAX_VALUE;
        return mapped != null ? Math.min(nextAt, expiresAt) : nextAt;
    }

    /** The requests due at {@code now} (each one datagram to the gateway's port 5351). */
    public List<byte[]> poll(long now) {
        List<byte[]> out = new ArrayList<>();
        if (state == State.STOPPED) return out;
        if (mapped != null && now >= expiresAt) mapped = null; // not renewed in time: the gateway forgot it
        if (now < nextAt) return out;
        switch (state) {
            case MAPPED -> begin(mappedWith == Protocol.NATPMP ? State.NATPMP : State.PCP); // renewal at half lifetime
            case FAILED -> begin(State.PCP);
            default -> {
                if (tries >= TRIES) {
                    if (state == State.PCP) begin(State.NATPMP);
                    else {
                        fail(now);
                        return out;
                    }
                }
            }
        }
        out.addAll(requests(state == State.PCP ? Protocol.PCP : Protocol.NATPMP, LIFETIME_SECONDS));
        tries++;
        nextAt = now + TRY_INTERVAL_MS;
        return out;
    }

    /** One datagram from the gateway's port 5351. */
    public void receive(byte[] d, long now) {
        Optional<PortMapMessages.Header> h = PortMapMessages.header(d);
        if (h.isEmpty() || !(state == State.PCP || state == State.NATPMP)) {
            dropped++;
            return;
        }
        int version = h.get().version();
        if (state == State.PCP) {
            if (version == PortMapMessages.NATPMP_VERSION && h.get().result() == PortMapMessages.RESULT_UNSUPP_VERSION) {
                begin(State.NATPMP); // a NAT-PMP-only gateway (RFC 6887 §9): fall back now
                nextAt = now;
                return;
            }
            Optional<PortMapMessages.PcpMapResponse> r = PortMapMessages.pcpMapResponse(d);
            if (r.isEmpty() || !MessageDigest.isEqual(r.get().nonce(), nonce) || r.get().internalPort() != internalPort) {
                dropped++;
                return;
            }
            PortMapMessages.PcpMapResponse m = r.get();
            if (m.result() != PortMapMessages.RESULT_SUCCESS || m.lifetime() == 0 || m.externalPort() == 0
                    || !(m.externalAddress() instanceof Inet4Address a) || a.isAnyLocalAddress()) {
                fail(now);
                return;
            }
            granted(Protocol.PCP, new InetSocketAddress(a, m.externalPort()), m.lifetime(), now);
            return;
        }
        if (version != PortMapMessages.NATPMP_VERSION) {
            dropped++;
            return;
        }
        Optional<PortMapMessages.NatPmpAddressResponse> a = PortMapMessages.natPmpAddressResponse(d);
        Optional<PortMapMessages.NatPmpMapResponse> m = PortMapMessages.natPmpMapResponse(d);
        if (a.isPresent()) {
            if (a.get().result() != PortMapMessages.RESULT_SUCCESS) {
                fail(now);
                return;
            }
            natPmpAddress = a.get().address().isAnyLocalAddress() ? null : a.get().address(); // 0.0.0.0: none yet (RFC 6886 §3.2)
        } else if (m.isPresent() && m.get().internalPort() == internalPort) {
            if (m.get().result() != PortMapMessages.RESULT_SUCCESS || m.get().lifetime() == 0 || m.get().externalPort() == 0) {
                fail(now);
                return;
            }
            natPmpPort = m.get().externalPort();
            natPmpLifetime = m.get().lifetime();
        } else {
            dropped++;
            return;
        }
        if (natPmpAddress != null && natPmpPort != 0) granted(Protocol.NATPMP, new InetSocketAddress(natPmpAddress, natPmpPort), natPmpLifetime, now);
    }

    /** Stops the machine; returns the requests that delete the mapping (RFC 6887 §15, RFC 6886 §3.4), if one exists or may. */
    public List<byte[]> stop() {
        List<byte[]> out = new ArrayList<>();
        Protocol p = mappedWith != null ? mappedWith : state == State.PCP ? Protocol.PCP : state == State.NATPMP ? Protocol.NATPMP : null;
        if (p != null && (mapped != null || tries > 0)) out.addAll(requests(p, 0));
        state = State.STOPPED;
        mapped = null;
        return out;
    }

    private List<byte[]> requests(Protocol p, long lifetime) {
        int suggested = lifetime == 0 && p == Protocol.NATPMP ? 0 : mapped != null ? mapped.getPort() : internalPort;
        if (p == Protocol.PCP) return List.of(PortMapMessages.pcpMapRequest(client, internalPort, suggested, lifetime, nonce));
        if (lifetime == 0) return List.of(PortMapMessages.natPmpMapRequest(internalPort, 0, 0));
        return List.of(PortMapMessages.natPmpAddressRequest(), PortMapMessages.natPmpMapRequest(internalPort, suggested, lifetime));
    }

    private void begin(State s) {
        state = s;
        tries = 0;
        natPmpAddress = null;
        natPmpPort = 0;
    }

    private void fail(long now) {
        state = State.FAILED;
        tries = 0;
        nextAt = now + RETRY_AFTER_FAILURE_MS;
    }

    private void granted(Protocol p, InetSocketAddress external, long lifetimeSeconds, long now) {
        long life = Math.min(lifetimeSeconds, LIFETIME_SECONDS * 2) * 1000;
        state = State.MAPPED;
        mappedWith = p;
        mapped = external;
        tries = 0;
        expiresAt = now + life;
        nextAt = now + Math.max(life / 2, TRY_INTERVAL_MS); // §5.9: renew at half lifetime
    }
}
