package dev.planetary.cli;

import dev.planetary.transport.AcceptPolicy;
import dev.planetary.transport.Counters;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import dev.planetary.transport.SecurityPolicy;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
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
                "Reports sessions and payloads; with --echo, sends every payload back on its session."})
final class ListenCommand implements Callable<Integer> {
    @Option(names = "--bind", paramLabel = "HOST:PORT", required = true, description = "Address to listen on (port 0 picks a free port; [::]:PORT for IPv6).")
    String bind;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "This node's private key file.")
    Path key;

    @Option(names = "--echo", description = "Send every payload back on its session.")
    boolean echo;

    @Option(names = "--challenge", description = "Answer Hellos with a challenge first (ZCP: address check + proof of work).")
    boolean challenge;

    @Option(names = "--auto-challenge", paramLabel = "RATE",
            description = "Challenge Hellos automatically while they arrive at RATE per second or more (sliding window, see --auto-challenge-window); off again below RATE/2.")
    Double autoChallenge;

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

    @Option(names = "--allow", paramLabel = "PUBFILE", arity = "1..*", description = "Accept only these peers' public keys (repeatable).")
    List<Path> allow = new ArrayList<>();

    @Option(names = "--allow-tunnel", paramLabel = "HOST:PORT", arity = "1..*",
            description = "Carry 'planetary tunnel' streams to these TCP targets (repeatable); requests for other targets are refused.")
    List<String> allowTunnel = new ArrayList<>();

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Output out = common.output(System.out, System.out);
        InetSocketAddress address = Addresses.parse("--bind address", bind, true);
        StaticKeyPair keyPair = KeyFiles.readPrivate(key);
        List<StaticPublicKey> allowed = new ArrayList<>();
        for (Path p : allow) allowed.add(KeyFiles.readPublic(p));
        SecurityPolicy.Builder policy = SecurityPolicy.builder()
                .requireRecognizedRatchet(requireRatchet)
                .disallowDowngrade(disallowDowngrade)
                .silentlyReject(silentReject);
        if (!allowed.isEmpty()) policy.accept(AcceptPolicy.allowList(allowed));
        List<TunnelProtocol.Target> tunnelTargets = new ArrayList<>();
        for (String t : allowTunnel) tunnelTargets.add(TunnelProtocol.Target.parse(t));
        if (echo && !tunnelTargets.isEmpty()) throw new CliError(CliError.USAGE, "--echo and --allow-tunnel exclude each other");
        Map<PeerSession, TunnelServer> tunnels = new ConcurrentHashMap<>();
        long windowMs = Durations.parseMillis("--auto-challenge-window", autoChallengeWindow, 10);
        if (autoChallenge != null && (!(autoChallenge > 0) || autoChallenge.isInfinite())) {
            throw new CliError(CliError.USAGE, "--auto-challenge must be a positive number of Hellos per second, got " + autoChallenge);
        }
        if ((challenge || autoChallenge != null) && requireRatchet) out.warn("--challenge answers unknown Hellos, which breaks the silence --require-ratchet aims for (spec §9)");
        if (challengeBudget <= 0) throw new CliError(CliError.USAGE, "--challenge-budget must be a positive number of challenges per second, got " + challengeBudget);
        int mtu = common.mtu();
        var settings = common.settings().withChallengesPerAddress(challengeBudget);
        RatchetStore store = common.openStore(keyPair.publicKey(), out);
        Endpoint endpoint;
        try {
            Endpoint.Builder builder = Endpoint.builder();
            if (autoChallenge != null) builder.autoChallenge(autoChallenge, java.time.Duration.ofMillis(windowMs));
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
                        public void onSession(PeerSession s) {
                            if (tunnelTargets.isEmpty()) return;
                            TunnelServer t = new TunnelServer(s, tunnelTargets, out, 10_000);
                            tunnels.put(s, t);
                            s.closedFuture().thenRun(() -> {
                                tunnels.remove(s, t);
                                t.close();
                            });
                        }

                        @Override
                        public void onData(PeerSession s, byte[] payload) {
                            TunnelServer t = tunnels.get(s);
                            if (t != null) {
                                t.receive(payload);
                                if (out.verbose()) out.debug(payload.length + " tunnel bytes from " + Endpoint.format(s.remoteAddress()));
                                return;
                            }
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
        out.event("listening", "listening on " + Endpoint.format(endpoint.localAddress()) + " as " + keyPair.publicKey().toHex()
                        + (echo ? " (echo)" : "") + (tunnelTargets.isEmpty() ? "" : " (tunnel to " + String.join(", ", allowTunnel) + ")") + (challenge ? " (challenge)" : "")
                        + (autoChallenge != null ? " (auto-challenge at " + Math.round(autoChallenge) + " Hellos/s)" : "") + " [" + mode + "]",
                "address", Endpoint.format(endpoint.localAddress()), "publicKey", keyPair.publicKey().toHex(), "mtu", mtu,
                "echo", echo, "challenge", challenge, "autoChallenge", autoChallenge, "requireRatchet", requireRatchet, "disallowDowngrade", disallowDowngrade,
                "silentReject", silentReject, "allow", allowed.stream().map(StaticPublicKey::toHex).toList(),
                "allowTunnel", tunnelTargets.stream().map(TunnelProtocol.Target::toString).toList(), "store", store.toString(), "mode", mode);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            for (TunnelServer t : tunnels.values()) t.close();
            endpoint.close();
            CommonOptions.closeStore(store);
            Counters c = endpoint.counters();
            // stdout may be a pipe nobody reads: the last event must not hold up the exit
            CommonOptions.bounded(() -> out.event("stopped", "stopped: " + c.get(Counters.Counter.HANDSHAKES) + " sessions, "
                    + c.get(Counters.Counter.PAYLOADS_IN) + " payloads in, " + c.get(Counters.Counter.PAYLOADS_OUT) + " out, "
                    + c.totalDrops() + " datagrams dropped", "counters", c.snapshot()), 1000);
            done.countDown();
        }, "planetary-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        done.await();
        return 0;
    }
}
