package dev.planetary.transport;

import dev.planetary.zssp.Fault;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live traffic and protocol counters of an {@link Endpoint} or of one {@link PeerSession}. Every
 * counter is a {@link LongAdder}: cheap to bump from many threads, read with {@link #get} or as a
 * whole with {@link #snapshot()}.
 *
 * <p>Endpoint counters see every datagram. Session counters see what can be attributed to a
 * session: datagrams sent on its behalf, authenticated packets (after reassembly) that produced an
 * event for it, its payloads, rekeys and downgrades. Drops are counted per endpoint only (a dropped
 * datagram has, by definition, no authenticated session).
 */
public final class Counters {

    /** The counters kept; names are stable and used as keys of {@link #snapshot()}. */
    public enum Counter {
        /** Datagrams received (endpoint) or authenticated packets that produced an event (session). */
        PACKETS_IN("packetsIn"),
        /** Bytes of those datagrams / packets. */
        BYTES_IN("bytesIn"),
        /** Datagrams handed to the socket. */
        PACKETS_OUT("packetsOut"),
        /** Bytes of those datagrams. */
        BYTES_OUT("bytesOut"),
        /** Datagrams the socket would not take (buffer full, network error). */
        SEND_FAILURES("sendFailures"),
        /** Application payloads delivered. */
        PAYLOADS_IN("payloadsIn"),
        PAYLOAD_BYTES_IN("payloadBytesIn"),
        /** Application payloads sent. */
        PAYLOADS_OUT("payloadsOut"),
        PAYLOAD_BYTES_OUT("payloadBytesOut"),
        /** Payloads dropped because the session's receive queue was full. */
        RECEIVE_QUEUE_OVERFLOWS("receiveQueueOverflows"),
        /** Handshake-plane datagrams (Hellos, handshake and rekey steps) dropped because its queue was full. */
        HANDSHAKE_QUEUE_OVERFLOWS("handshakeQueueOverflows"),
        /** Listener callbacks (payloads, events) dropped because a callback queue was full (a slow listener). */
        CALLBACKS_DROPPED("callbacksDropped"),
        /** Handshakes completed (NewSession, NewDowngradedSession or Established). */
        HANDSHAKES("handshakes"),
        /** Outgoing handshakes abandoned after the handshake timeout. */
        HANDSHAKE_TIMEOUTS("handshakeTimeouts"),
        /** Outgoing sessions the peer rejected with a Session-Rejected packet. */
        REJECTED_BY_PEER("rejectedByPeer"),
        /** Incoming sessions this endpoint refused (accept policy). */
        REFUSED("refused"),
        /** Rekeys completed. */
        REKEYS("rekeys"),
        /** Downgrades to the empty ratchet (either side). */
        DOWNGRADES("downgrades"),
        /** Challenges (ZCP) sent in answer to Hellos. */
        CHALLENGES_ISSUED("challengesIssued"),
        /** Complete Hello packets received (answered, challenged or dropped). */
        HELLOS_IN("hellosIn"),
        /** Times auto-challenge turned the challenge on because of the Hello rate. */
        AUTO_CHALLENGE_ACTIVATIONS("autoChallengeActivations"),
        /** Sessions that followed their peer to a new address. */
        PATH_CHANGES("pathChanges"),
        /** Sessions closed or expired. */
        SESSIONS_CLOSED("sessionsClosed"),
        /** Exceptions thrown by the {@link PayloadHandler} (counted and ignored). */
        HANDLER_ERRORS("handlerErrors"),
        /** Unexpected internal errors: caught in the receive or timer loop, or by the engine itself (should stay 0). */
        INTERNAL_ERRORS("internalErrors");

        private final String key;

        Counter(String key) {
            this.key = key;
        }

        /** The camelCase name used in {@link #snapshot()} and in JSON output. */
        public String key() {
            return key;
        }
    }

    private final EnumMap<Counter, LongAdder> counters = new EnumMap<>(Counter.class);
    private final EnumMap<Fault, LongAdder> drops = new EnumMap<>(Fault.class);
    private final Counters parent;
    /** The engine's own count of the bugs it caught (Context.internalErrorCount), for the endpoint's set. */
    private volatile java.util.function.LongSupplier engineErrors = () -> 0;

    Counters(Counters parent) {
        this.parent = parent;
        for (Counter c : Counter.values()) counters.put(c, new LongAdder());
        for (Fault f : Fault.values()) drops.put(f, new LongAdder());
    }

    void add(Counter c, long n) {
        counters.get(c).add(n);
        if (parent != null) parent.add(c, n);
    }

    /** Adds to this set only, not to the parent's. */
    void addLocal(Counter c, long n) {
        counters.get(c).add(n);
    }

    void countEngineErrors(java.util.function.LongSupplier s) {
        engineErrors = s;
    }

    void inc(Counter c) {
        add(c, 1);
    }

    void drop(Fault f) {
        drops.get(f).increment();
        if (parent != null) parent.drop(f);
    }

    /** The current value of one counter. */
    public long get(Counter c) {
        long n = counters.get(c).sum();
        return c == Counter.INTERNAL_ERRORS ? n + engineErrors.getAsLong() : n;
    }

    /** Datagrams dropped with this fault class (endpoint counters; 0 for sessions). */
    public long drops(Fault f) {
        return drops.get(f).sum();
    }

    /** All drops, whatever the fault class. */
    public long totalDrops() {
        long n = 0;
        for (LongAdder a : drops.values()) n += a.sum();
        return n;
    }

    /**
     * A point-in-time copy: every {@link Counter} under its {@link Counter#key()}, then
     * {@code drops.FAULT_NAME} for each fault class.
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Counter c : Counter.values()) m.put(c.key(), get(c));
        for (Fault f : Fault.values()) m.put("drops." + f.name(), drops(f));
        return m;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Counters[");
        boolean first = true;
        for (Map.Entry<String, Long> e : snapshot().entrySet()) {
            if (e.getValue() == 0) continue;
            if (!first) b.append(", ");
            b.append(e.getKey()).append('=').append(e.getValue());
            first = false;
        }
        return b.append(']').toString();
    }
}
