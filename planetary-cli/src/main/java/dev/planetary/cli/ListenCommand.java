package dev.planetary.cli;

import dev.planetary.transport.AcceptPolicy;
import dev.planetary.transport.Counters;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.EndpointEvent;
import dev.planetary.transport.PeerSession;
import dev.planetary.transport.SecurityPolicy;
import dev.planetary.tunnel.IdleTimer;
import dev.planetary.tunnel.PathMtu;
import dev.planetary.tunnel.TunnelLimits;
import dev.planetary.tunnel.TunnelServer;
import dev.planetary.tunnel.TunnelTarget;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "listen", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Accepts ZSSP sessions on a UDP address until interrupted (Ctrl-C).",
                "Only from the peers named by --allow or --allow-file (any peer only with --allow-any).",
                "Reports sessions and payloads; with --echo, sends every payload back on its session."})
final class ListenCommand implements Callable<Integer> {
    @Option(names = "--bind", paramLabel = "HOST:PORT", required = true, description = "Address to listen on (port 0 picks a free port; [::]:PORT for IPv6).")
    String bind;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "This node's private key file.")
    Path key;

    @Option(names = "--echo", description = "Send every payload back on its session.")
    boolean echo;

    @Option(names = "--challenge", description = "Answer every Hello with a challenge first (ZCP: address check + proof of work).")
    boolean challenge;

    @Option(names = "--auto-challenge", paramLabel = "RATE",
            description = "Challenge Hellos automatically while they arrive at RATE per second or more (sliding window, see --auto-challenge-window); off again below RATE/2 (default: on at "
                    + DEFAULT_AUTO_CHALLENGE + ", off with --require-ratchet).")
    Double autoChallenge;

    @Option(names = "--no-auto-challenge", description = "Never challenge automatically: every Hello is answered at full cost, also during a flood.")
    boolean noAutoChallenge;

    static final int DEFAULT_AUTO_CHALLENGE = 50;

    @Option(names = "--auto-challenge-window", paramLabel = "D", defaultValue = "1s",
            description = "Window over which --auto-challenge measures the Hello rate (default 1s).")
    String autoChallengeWindow;

    @Option(names = "--challenge-budget", paramLabel = "N", defaultValue = "20",
            description = "Challenges sent per second (and in a burst) to one source address (default 20); Hellos past it are dropped unanswered.")
    int challengeBudget;

    @Option(names = "--require-ratchet", description = "π1: drop Hellos whose ratchet state we do not recognise (persistent mode).")
    boolean requireRatchet;

    @Option(names = "--disallow-downgrade", description = "π2/π3: refuse peers that fall back to the empty ratchet although we have state for them.")
    boolean disallowDowngrade;

    @Option(names = "--silent-reject", description = "π4: refuse peers without a Session-Rejected packet (they time out).")
    boolean silentReject;

    @Option(names = "--allow", paramLabel = "PUB", arity = "1..*",
            description = "Accept only these peers (repeatable): a public key (98 hex digits), a fingerprint (SHA256:…, as keygen and pubkey print it) or a .pub file.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--allow-file", paramLabel = "FILE",
            description = "Accept the peers listed in FILE (repeatable): one public key or fingerprint per line, text after it and lines starting with # are ignored.")
    List<Path> allowFile = new ArrayList<>();

    @Option(names = "--allow-any", description = "Accept every peer that completes a handshake (anyone can make a key). Not with --allow-tunnel.")
    boolean allowAny;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "64",
            description = "Sessions at once (default: ${DEFAULT-VALUE}); a peer past it is refused (a peer's new session replaces its old one and always fits).")
    int maxSessions;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "5m",
            description = "Close a session that has sent no payload for this long (default: ${DEFAULT-VALUE}; tunnels send keepalives). 0 disables.")
    String idleTimeout;

    @Option(names = "--stream-idle-timeout", paramLabel = "DURATION", defaultValue = "1h",
            description = "Reset a tunnel stream that carried no byte either way for this long (default: ${DEFAULT-VALUE}). 0 disables.")
    String streamIdleTimeout;

    @Option(names = "--max-streams", paramLabel = "N", defaultValue = "" + TunnelLimits.DEFAULT_STREAMS,
            description = "Tunnel streams (TCP connections to targets) per session, 1..256 (default: ${DEFAULT-VALUE}); further OPENs are refused.")
    int maxStreams;

    @Option(names = "--session-buffer", paramLabel = "BYTES", defaultValue = "8m",
            description = "Bytes a tunnel session may have buffered at the listener (default: ${DEFAULT-VALUE}; k, m suffixes); a peer past it is slowed down, not served.")
    String sessionBuffer;

    @Option(names = "--allow-tunnel", paramLabel = "HOST:PORT", arity = "1..*",
            description = "Carry 'planetary tunnel' streams to these TCP targets (repeatable); requests for other targets are refused.")
    List<String> allowTunnel = new ArrayList<>();

    @Mixin
    CommonOptions common;

    /**
     * Default deny: true if any peer may connect. The allow-list decides, unless --allow-any says any
     * peer (also for --echo demos: a peer nobody named gets nothing); tunnels need an allow-list.
     */
    private boolean access(AllowList allowed, List<TunnelTarget> tunnelTargets, Output out) {
        if (allowAny && !allowed.isEmpty()) throw new CliError(CliError.USAGE, "--allow-any and --allow/--allow-file exclude each other");
        if (!tunnelTargets.isEmpty() && allowed.isEmpty()) {
            throw new CliError(CliError.USAGE, "--allow-tunnel needs an allow-list (--allow PUB… or --allow-file FILE): without one anyone who makes a key reaches "
                    + String.join(", ", allowTunnel));
        }
        if (allowAny) return true;
        if (!allowed.isEmpty()) return false;
        throw new CliError(CliError.USAGE, "listen accepts no peer by default: name them with --allow PUB… or --allow-file FILE, or pass --allow-any"
                + (echo ? " (for an echo demo: --allow client.pub)" : ""));
    }

    /** Closes {@code s} once it has sent no payload for {@code timeoutMs} (--idle-timeout). */
    private static void watchIdle(PeerSession s, IdleTimer timer, long timeoutMs, Map<PeerSession, Long> lastPayload, Output out) {
        lastPayload.put(s, System.nanoTime());
        s.closedFuture().thenRun(() -> lastPayload.remove(s));
        timer.watch(new IdleTimer.Watched() {
            @Override
            public long lastActivity() {
                return lastPayload.getOrDefault(s, System.nanoTime());
            }

            @Override
            public boolean isDone() {
                return s.isClosed();
            }

            @Override
            public void idle(long idleMs) {
                out.event("idle", "closing the session of " + AllowList.fingerprint(s.peer()) + " at " + Endpoint.format(s.remoteAddress()) + ": no payload for "
                        + idleMs / 1000 + " s (--idle-timeout)", "peer", s.peer().toHex(), "remote", Endpoint.format(s.remoteAddress()), "idleMs", idleMs);
                s.close();
            }
        }, timeoutMs);
    }

    @Override
    public Integer call() throws Exception {
        Output out = common.output(System.out, System.out);
        InetSocketAddress address = Addresses.parse("--bind address", bind, true);
        StaticKeyPair keyPair = KeyFiles.readPrivate(key);
        AllowList allowed = AllowList.parse(allow, allowFile);
        List<TunnelTarget> tunnelTargets = new ArrayList<>();
        for (String t : allowTunnel) tunnelTargets.add(new TunnelTarget(t, Addresses.parse("--allow-tunnel target", t, false)));
        if (echo && !tunnelTargets.isEmpty()) throw new CliError(CliError.USAGE, "--echo and --allow-tunnel exclude each other");
        boolean anyPeer = access(allowed, tunnelTargets, out);
        if (maxSessions < 1) throw new CliError(CliError.USAGE, "--max-sessions must be positive, got " + maxSessions);
        long idleMs = idleTimeout.strip().equals("0") ? 0 : Durations.parseMillis("--idle-timeout", idleTimeout, 1000);
        long streamIdleMs = streamIdleTimeout.strip().equals("0") ? 0 : Durations.parseMillis("--stream-idle-timeout", streamIdleTimeout, 1000);
        TunnelLimits limits;
        try {
            limits = new TunnelLimits(maxStreams, Sizes.parse("--session-buffer", sessionBuffer), streamIdleMs);
        } catch (IllegalArgumentException e) {
            throw new CliError(CliError.USAGE, e.getMessage(), e);
        }
        Map<PeerSession, Long> live = new ConcurrentHashMap<>();
        // Access control (docs/security.md "Access control"): the allow-list, and room for one more peer.
        AcceptPolicy accept = (peer, identity, source) -> (anyPeer || allowed.allows(peer))
                && (live.size() < maxSessions || live.keySet().stream().anyMatch(s -> s.peer().equals(peer)));
        SecurityPolicy.Builder policy = SecurityPolicy.builder()
                .requireRecognizedRatchet(requireRatchet)
                .disallowDowngrade(disallowDowngrade)
                .silentlyReject(silentReject)
                .accept(accept);
        Map<PeerSession, TunnelServer> tunnels = new ConcurrentHashMap<>();
        IdleTimer idle = new IdleTimer();
        Map<PeerSession, Long> lastPayload = new ConcurrentHashMap<>();
        long windowMs = Durations.parseMillis("--auto-challenge-window", autoChallengeWindow, 10);
        if (autoChallenge != null && (!(autoChallenge > 0) || autoChallenge.isInfinite())) {
            throw new CliError(CliError.USAGE, "--auto-challenge must be a positive number of Hellos per second, got " + autoChallenge);
        }
        if (autoChallenge != null && noAutoChallenge) throw new CliError(CliError.USAGE, "--auto-challenge and --no-auto-challenge exclude each other");
        // On by default, as WireGuard's cookies are: a Hello flood costs honest clients one challenge round, not their session.
        // Not by default with π1, whose point is answering no unknown Hello (spec §9 advises against combining them).
        Double autoRate = noAutoChallenge ? null : autoChallenge != null ? autoChallenge : requireRatchet ? null : Double.valueOf(DEFAULT_AUTO_CHALLENGE);
        if ((challenge || autoChallenge != null) && requireRatchet) out.warn("--challenge answers unknown Hellos, which breaks the silence --require-ratchet aims for (spec §9)");
        if (challengeBudget <= 0) throw new CliError(CliError.USAGE, "--challenge-budget must be a positive number of challenges per second, got " + challengeBudget);
        int mtu = common.mtu();
        var settings = common.settings().withChallengesPerAddress(challengeBudget);
        // The session's tunnel, made by whichever comes first: onSession, or its first payload on the receive thread.
        java.util.function.Function<PeerSession, TunnelServer> tunnelOf = s -> {
            TunnelServer t = tunnels.get(s);
            if (t != null || s.isClosed()) return t;
            synchronized (tunnels) {
                t = tunnels.get(s);
                if (t != null) return t;
                if (!common.mtuGiven()) s.setMtu(PathMtu.forPeer(s.remoteAddress(), s.mtu())); // a tunnel from this host
                t = new TunnelServer(s, tunnelTargets, out, 10_000, limits, idle);
                tunnels.put(s, t);
            }
            TunnelServer made = t;
            s.closedFuture().thenRun(() -> {
                tunnels.remove(s, made);
                int open = made.activeStreams();
                made.close();
                // never end a live tunnel silently (most often a second client with the same key replaced this session)
                if (open > 0) out.warn("tunnel session of " + AllowList.fingerprint(s.peer()) + " at " + Endpoint.format(s.remoteAddress())
                        + " closed with " + open + " open stream" + (open == 1 ? "" : "s") + ": " + s.closeReason());
            });
            return t;
        };
        RatchetStore store = common.openStore(keyPair.publicKey(), out);
        Endpoint endpoint;
        try {
            Endpoint.Builder builder = Endpoint.builder();
            if (autoRate != null) builder.autoChallenge(autoRate, java.time.Duration.ofMillis(windowMs));
            if (!tunnelTargets.isEmpty()) {
                // Tunnel payloads straight into SEQEX on the receive thread that decrypted them (it never blocks):
                // no hand-off to a callback thread per packet (BENCHMARKS.md, issue 19 third round).
                builder.payloadHandler((s, payload) -> {
                    if (idleMs > 0) lastPayload.computeIfPresent(s, (k, v) -> System.nanoTime());
                    TunnelServer t = tunnelOf.apply(s);
                    if (t != null) t.receive(payload);
                });
            }
            endpoint = Net.build(builder
                    .bind(address)
                    .identity(keyPair)
                    .store(store)
                    .settings(settings)
                    .policy(policy.build())
                    .mtu(mtu)
                    .handshakeTimeout(common.handshakeTimeout())
                    .challenge(challenge)
                    .receiveQueueCapacity(0)
                    .listener(new EventPrinter(out) {
                        @Override
                        public void onEvent(EndpointEvent e) {
                            if (e.kind() != EndpointEvent.Kind.REFUSED || e.peer() == null) {
                                super.onEvent(e);
                                return;
                            }
                            String fp = AllowList.fingerprint(e.peer());
                            String why = anyPeer || allowed.allows(e.peer()) ? "the listener has --max-sessions " + maxSessions + " sessions" : "not in the allow-list";
                            String remote = e.remote() == null ? null : Endpoint.format(e.remote());
                            out.event("refused", "refused " + fp + " at " + remote + ": " + why + " (" + e.detail() + ")",
                                    "peer", e.peer().toHex(), "fingerprint", fp, "remote", remote, "reason", why, "silent", e.detail().contains("silently"));
                        }

                        @Override
                        public void onSession(PeerSession s) {
                            live.put(s, System.nanoTime());
                            if (idleMs > 0) watchIdle(s, idle, idleMs, lastPayload, out);
                            s.closedFuture().thenRun(() -> live.remove(s));
                            if (!tunnelTargets.isEmpty()) tunnelOf.apply(s);
                        }

                        @Override
                        public void onData(PeerSession s, byte[] payload) { // without --allow-tunnel (with it, payloads go to the handler above)
                            if (idleMs > 0) lastPayload.computeIfPresent(s, (k, v) -> System.nanoTime());
                            boolean echoed = false;
                            String error = null;
                            if (echo) {
                                try {
                                    s.send(payload);
                                    echoed = true;
                                } catch (RuntimeException e) {
                                    error = e.getMessage();
                                }
                            }
                            out.event("data", out.verbose() ? payload.length + " bytes from " + Endpoint.format(s.remoteAddress()) + (echoed ? " (echoed)" : "") : null,
                                    "peer", s.peer().toHex(), "remote", Endpoint.format(s.remoteAddress()), "bytes", payload.length, "echoed", echoed);
                            if (error != null) out.warn("cannot echo " + payload.length + " bytes to " + Endpoint.format(s.remoteAddress()) + ": " + error);
                        }
                    }));
        } catch (RuntimeException e) {
            CommonOptions.closeStore(store);
            throw e;
        }
        String mode = requireRatchet && disallowDowngrade && silentReject ? "persistent" : (requireRatchet || disallowDowngrade || silentReject) ? "mixed" : "opportunistic";
        // Before the `listening` line (the "ready" signal): from then on a SIGTERM always ends with `stopped`.
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            for (TunnelServer t : tunnels.values()) t.close();
            idle.close();
            endpoint.close();
            CommonOptions.closeStore(store);
            Counters c = endpoint.counters();
            // stdout may be a pipe nobody reads: the last event must not hold up the exit
            CommonOptions.bounded(() -> out.event("stopped", "stopped: " + c.get(Counters.Counter.HANDSHAKES) + " sessions, "
                    + c.get(Counters.Counter.PAYLOADS_IN) + " payloads in, " + c.get(Counters.Counter.PAYLOADS_OUT) + " out, "
                    + c.totalDrops() + " datagrams dropped", "counters", c.snapshot(), "tunnelIoErrors", TunnelServer.ioErrors()), 1000);
            done.countDown();
        }, "planetary-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.event("listening", "listening on " + Endpoint.format(endpoint.localAddress()) + " as " + keyPair.publicKey().toHex()
                        + (echo ? " (echo)" : "") + (tunnelTargets.isEmpty() ? "" : " (tunnel to " + String.join(", ", allowTunnel) + ")") + (challenge ? " (challenge)" : "")
                        + (autoRate != null ? " (auto-challenge at " + Math.round(autoRate) + " Hellos/s)" : "")
                        + (anyPeer ? " (any peer)" : " (" + allowed.entries().size() + " allowed)") + " [" + mode + "]",
                "address", Endpoint.format(endpoint.localAddress()), "publicKey", keyPair.publicKey().toHex(), "mtu", mtu,
                "echo", echo, "challenge", challenge, "autoChallenge", autoRate, "requireRatchet", requireRatchet, "disallowDowngrade", disallowDowngrade,
                "silentReject", silentReject, "allow", allowed.entries(), "allowAny", anyPeer, "maxSessions", maxSessions,
                "allowTunnel", tunnelTargets.stream().map(TunnelTarget::toString).toList(), "store", store.toString(), "mode", mode);
        done.await();
        return 0;
    }
}
