package dev.planetary.cli;

import dev.planetary.transport.Counters;
import dev.planetary.transport.AcceptPolicy;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import dev.planetary.transport.SecurityPolicy;
import dev.planetary.zssp.DataTooLargeException;
import dev.planetary.zssp.Limits;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ping", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures round trips to an echoing listener ('planetary listen --echo').",
                "Sends numbered payloads, expects byte-identical echoes and prints RTT statistics.",
                "Exits 0 only if every probe came back (each probe is resent up to --retries times)."})
final class PingCommand implements Callable<Integer> {
    static final int MIN_SIZE = 8;

    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The listener's address.")
    String target;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "This node's private key file.")
    Path key;

    @Option(names = "--peer", paramLabel = "PUBFILE", required = true, description = "The listener's public key file.")
    Path peer;

    @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "5", description = "Number of probes (default: ${DEFAULT-VALUE}; 0: until interrupted).")
    int count;

    @Option(names = {"-s", "--size"}, paramLabel = "N|A-B", defaultValue = "56",
            description = "Payload size in bytes, or a range A-B swept from A to B (default: ${DEFAULT-VALUE}; at least 8).")
    String size;

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", defaultValue = "1s", description = "Time between probes (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--probe-timeout", paramLabel = "DURATION", defaultValue = "1s", description = "Wait for each echo (default: ${DEFAULT-VALUE}).")
    String probeTimeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "3", description = "Resends of an unanswered probe (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--identity", paramLabel = "TEXT", description = "Identity text sent to the peer (UTF-8, at most 4096 bytes).")
    String identity;

    @Option(names = "--bind", paramLabel = "HOST:PORT", description = "Local address (default: any address, a free port).")
    String bind;

    @Option(names = "--disallow-downgrade", description = "π2: refuse a listener that has lost our ratchet state.")
    boolean disallowDowngrade;

    @Option(names = "--reconnect", description = {"Keep going when the session ends, a probe is lost or a handshake fails: open a new session",
            "(after --reconnect-delay) and continue. Exits 0 only if every probe came back."})
    boolean reconnect;

    @Option(names = "--reconnect-delay", paramLabel = "DURATION", defaultValue = "200ms", description = "Pause before reconnecting (default: ${DEFAULT-VALUE}).")
    String reconnectDelay;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Output out = common.output(System.out, System.out);
        InetSocketAddress address = Addresses.parse("peer address", target, false);
        InetSocketAddress local = bind != null ? Addresses.parse("--bind address", bind, true) : Net.anyLocalFor(address);
        if (count < 0) throw new CliError(CliError.USAGE, "--count must be at least 0 (0: until interrupted), got " + count);
        long reconnectDelayMs = Durations.parseMillis("--reconnect-delay", reconnectDelay, 0);
        if (retries < 0) throw new CliError(CliError.USAGE, "--retries must be at least 0, got " + retries);
        long intervalMs = Durations.parseMillis("--interval", interval, 0);
        long waitMs = Durations.parseMillis("--probe-timeout", probeTimeout, 1);
        int[] range = sizes(size);
        int mtu = common.mtu();
        int max = Limits.maxPayload(mtu);
        if (range[1] > max) {
            throw new CliError(CliError.USAGE, "a payload of " + range[1] + " bytes needs more than " + Limits.MAX_FRAGMENTS + " fragments at MTU " + mtu
                    + "; the largest payload is " + max + " bytes (raise --mtu or lower --size)");
        }
        byte[] id = identity == null ? new byte[0] : identity.getBytes(StandardCharsets.UTF_8);
        if (id.length > 4096) throw new CliError(CliError.USAGE, "--identity is " + id.length + " bytes; at most 4096 are allowed");
        StaticKeyPair keyPair = KeyFiles.readPrivate(key);
        StaticPublicKey peerKey = KeyFiles.readPublic(peer);
        var settings = common.settings();
        Duration timeout = common.handshakeTimeout();
        RatchetStore store = common.openStore(keyPair.publicKey(), out);
        try (Endpoint ep = Net.build(Endpoint.builder().bind(local).identity(keyPair).store(store).settings(settings).mtu(mtu)
                .policy(SecurityPolicy.builder().disallowDowngrade(disallowDowngrade).accept(AcceptPolicy.refuseAll()).build()) // a client: no inbound sessions
                .handshakeTimeout(timeout).listener(new EventPrinter(out) {
                    @Override
                    public void onEvent(dev.planetary.transport.EndpointEvent e) {
                        if (e.kind() == dev.planetary.transport.EndpointEvent.Kind.ESTABLISHED) return; // printed below
                        super.onEvent(e);
                    }
                }))) {
            String where = Endpoint.format(address);
            String sizeText = range[0] == range[1] ? String.valueOf(range[0]) : range[0] + "-" + range[1];
            Connector connector = new Connector(ep, peerKey, address, id, timeout, out, where, sizeText, mtu, reconnectDelayMs);
            PeerSession s = connector.open(null);
            // From here on Ctrl-C / SIGTERM ends the run with the statistics so far, as ping(8) does.
            AtomicBoolean stopped = Signals.interruptOnStop(Thread.currentThread());
            List<Double> rtts = new ArrayList<>();
            int lost = 0;
            long resends = 0;
            long stale = 0;
            int probes = 0;
            probing:
            for (int seq = 1; count == 0 || seq <= count; seq++) {
                try {
                    long probeStart = System.nanoTime();
                    int len = count == 1 ? range[1] : count == 0 ? range[0] + (int) ((long) (range[1] - range[0]) * ((seq - 1) % 64) / 63)
                            : range[0] + (int) ((long) (range[1] - range[0]) * (seq - 1) / (count - 1));
                    byte[] probe = probe(seq, len);
                    PeerSession probeSession = s;
                    double rtt = -1;
                    int attempt;
                    for (attempt = 1; attempt <= 1 + retries && rtt < 0; attempt++) {
                        if (attempt > 1) resends++;
                        long sent = System.nanoTime();
                        try {
                            s.send(probe);
                        } catch (DataTooLargeException e) {
                            throw new CliError(CliError.USAGE, e.getMessage());
                        } catch (IllegalStateException e) {
                            if (!reconnect) throw new CliError(CliError.FAILED, "session with " + where + " ended: " + e.getMessage());
                            s = connector.open("session ended: " + e.getMessage());
                            continue;
                        }
                        long deadline = sent + waitMs * 1_000_000L;
                        while (true) {
                            long left = deadline - System.nanoTime();
                            if (left <= 0) break;
                            byte[] back = s.receive(Duration.ofNanos(left));
                            if (back == null) {
                                if (s.isClosed()) {
                                    if (!reconnect) throw new CliError(CliError.FAILED, "session with " + where + " closed: " + s.closeReason());
                                    s = connector.open("session closed: " + s.closeReason());
                                }
                                break;
                            }
                            if (Arrays.equals(back, probe)) {
                                rtt = (System.nanoTime() - sent) / 1e6;
                                break;
                            }
                            stale++; // a late echo of an earlier probe or attempt
                        }
                    }
                    int attempts = attempt - 1;
                    if (stopped.get() && rtt < 0) break; // the probe in flight when interrupted counts as neither echoed nor lost
                    probes = seq;
                    if (rtt >= 0) {
                        rtts.add(rtt);
                        out.event("probe", String.format(Locale.ROOT, "%d bytes from %s: seq=%d time=%.3f ms%s", len, where, seq, rtt,
                                        attempts > 1 ? " (attempt " + attempts + ")" : ""),
                                "seq", seq, "bytes", len, "rttMs", rtt, "attempts", attempts);
                    } else {
                        lost++;
                        out.event("lost", String.format(Locale.ROOT, "%d bytes to %s: seq=%d no echo after %d attempts", len, where, seq, attempts),
                                "seq", seq, "bytes", len, "attempts", attempts);
                        // (unless this probe already moved to a new session)
                        if (reconnect && s == probeSession) s = connector.open("probe " + seq + " not echoed after " + attempts + " attempts");
                    }
                    long sleep = intervalMs - (System.nanoTime() - probeStart) / 1_000_000;
                    if ((count == 0 || seq < count) && sleep > 0) Thread.sleep(sleep);
                } catch (InterruptedException | CliError e) {
                    if (!stopped.get()) throw e;
                    break probing;
                }
                if (stopped.get()) break;
            }
            Thread.interrupted(); // a stop signal's interrupt, consumed: the summary and close follow
            summary(out, where, s, rtts, probes, lost, resends, stale, connector.sessions);
            if (probes == 0) throw new CliError(CliError.FAILED, "interrupted before the first probe completed");
            if (lost == probes) {
                throw new CliError(CliError.FAILED, "no probe came back (" + probes + " sent)" + (s.isClosed() ? ""
                        : ": the session with " + where + " is up but nothing was echoed; is the listener running with --echo?"));
            }
            if (lost > 0) throw new CliError(CliError.FAILED, lost + " of " + probes + " probes were not echoed");
            return 0;
        } finally {
            CommonOptions.closeStore(store);
        }
    }

    /** Opens sessions: once, or with --reconnect until one is established. */
    private final class Connector {
        final Endpoint ep;
        final StaticPublicKey peerKey;
        final InetSocketAddress address;
        final byte[] id;
        final Duration timeout;
        final Output out;
        final String where;
        final String sizeText;
        final int mtu;
        final long delayMs;
        int sessions;

        Connector(Endpoint ep, StaticPublicKey peerKey, InetSocketAddress address, byte[] id, Duration timeout, Output out, String where,
                String sizeText, int mtu, long delayMs) {
            this.ep = ep;
            this.peerKey = peerKey;
            this.address = address;
            this.id = id;
            this.timeout = timeout;
            this.out = out;
            this.where = where;
            this.sizeText = sizeText;
            this.mtu = mtu;
            this.delayMs = delayMs;
        }

        /** A new established session; {@code reason} (null for the first) is why the previous one was given up. */
        PeerSession open(String reason) throws InterruptedException {
            while (true) {
                if (reason != null) {
                    out.event("reconnecting", "reconnecting to " + where + ": " + reason, "remote", where, "reason", reason);
                    if (delayMs > 0) Thread.sleep(delayMs);
                }
                try {
                    PeerSession s = Net.connect(ep, peerKey, address, id, timeout);
                    sessions++;
                    out.event("established", String.format(Locale.ROOT, "%s %s (peer %s): handshake %.1f ms, %s bytes, MTU %d",
                                    sessions == 1 ? "PING" : "RECONNECTED", where, Net.shortKey(peerKey), s.handshakeMillis(), sizeText, mtu),
                            "peer", peerKey.toHex(), "remote", where, "handshakeMs", s.handshakeMillis(), "downgraded", s.wasDowngraded(),
                            "sessions", sessions);
                    return s;
                } catch (CliError e) {
                    if (!reconnect || e.exitCode == CliError.USAGE || !ep.isOpen()) throw e;
                    reason = "no session: " + e.getMessage();
                }
            }
        }
    }

    private static void summary(Output out, String where, PeerSession s, List<Double> rtts, int count, int lost, long resends, long stale,
            int sessions) {
        double min = rtts.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
        double max = rtts.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        double avg = rtts.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
        double var = rtts.stream().mapToDouble(d -> (d - avg) * (d - avg)).average().orElse(Double.NaN);
        double stddev = Math.sqrt(var);
        double loss = count == 0 ? 0 : 100.0 * lost / count;
        Counters c = s.counters();
        String text = String.format(Locale.ROOT, "--- %s planetary ping statistics ---%n"
                        + "%d probes sent, %d echoed, %.1f%% loss, %d resends, %d rekeys%s%s%n"
                        + "%s"
                        + "bytes: %d payload out, %d payload in, %d on the wire out, %d in",
                where, count, count - lost, loss, resends, c.get(Counters.Counter.REKEYS), s.wasDowngraded() ? ", DOWNGRADED" : "",
                sessions > 1 ? ", " + sessions + " sessions" : "",
                rtts.isEmpty() ? "" : String.format(Locale.ROOT, "rtt min/avg/max/stddev = %.3f/%.3f/%.3f/%.3f ms%n", min, avg, max, stddev),
                c.get(Counters.Counter.PAYLOAD_BYTES_OUT), c.get(Counters.Counter.PAYLOAD_BYTES_IN),
                c.get(Counters.Counter.BYTES_OUT), c.get(Counters.Counter.BYTES_IN));
        out.eventBlock("summary", text, "remote", where, "sent", count, "received", count - lost, "lossPercent", loss, "resends", resends,
                "staleEchoes", stale, "minMs", min, "avgMs", avg, "maxMs", max, "stddevMs", stddev, "handshakeMs", s.handshakeMillis(),
                "rekeys", c.get(Counters.Counter.REKEYS), "downgraded", s.wasDowngraded(), "sessions", sessions, "counters", c.snapshot());
    }

    /** {@code [min, max]} from "N" or "A-B". */
    static int[] sizes(String spec) {
        String t = spec.strip();
        int dash = t.indexOf('-');
        try {
            int a = Integer.parseInt(dash < 0 ? t : t.substring(0, dash).strip());
            int b = dash < 0 ? a : Integer.parseInt(t.substring(dash + 1).strip());
            if (a < MIN_SIZE || b < a) throw new NumberFormatException();
            return new int[] {a, b};
        } catch (NumberFormatException e) {
            throw new CliError(CliError.USAGE, "--size '" + spec + "' must be N or A-B with " + MIN_SIZE + " <= A <= B");
        }
    }

    /** Probe {@code seq}: BE32 seq ‖ BE32 length ‖ pseudo-random bytes seeded by seq. */
    static byte[] probe(int seq, int len) {
        byte[] p = new byte[len];
        SplittableRandom r = new SplittableRandom(seq * 0x9E3779B97F4A7C15L);
        for (int i = 8; i < len; i++) p[i] = (byte) r.nextInt(256);
        ByteBuffer.wrap(p).putInt(seq).putInt(len);
        return p;
    }
}
