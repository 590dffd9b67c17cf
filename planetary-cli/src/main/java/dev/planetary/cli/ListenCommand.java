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

    @Option(names = "--require-ratchet", description = "π1: drop Hellos whose ratchet state we do not recognise (persistent mode).")
    boolean requireRatchet;

    @Option(names = "--disallow-downgrade", description = "π2/π3: refuse peers that fall back to the empty ratchet although we have state for them.")
    boolean disallowDowngrade;

    @Option(names = "--silent-reject", description = "π4: refuse peers without a Session-Rejected packet (they time out).")
    boolean silentReject;

    @Option(names = "--allow", paramLabel = "PUBFILE", arity = "1..*", description = "Accept only these peers' public keys (repeatable).")
    List<Path> allow = new ArrayList<>();

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
        if (challenge && requireRatchet) out.warn("--challenge answers unknown Hellos, which breaks the silence --require-ratchet aims for (spec §9)");
        int mtu = common.mtu();
        var settings = common.settings();
        RatchetStore store = common.openStore(keyPair.publicKey(), out);
        Endpoint endpoint;
        try {
            endpoint = Net.build(Endpoint.builder()
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
                        public void onData(PeerSession s, byte[] payload) {
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
                        + (echo ? " (echo)" : "") + (challenge ? " (challenge)" : "") + " [" + mode + "]",
                "address", Endpoint.format(endpoint.localAddress()), "publicKey", keyPair.publicKey().toHex(), "mtu", mtu,
                "echo", echo, "challenge", challenge, "requireRatchet", requireRatchet, "disallowDowngrade", disallowDowngrade,
                "silentReject", silentReject, "allow", allowed.stream().map(StaticPublicKey::toHex).toList(), "store", store.toString(), "mode", mode);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            endpoint.close();
            CommonOptions.closeStore(store);
            Counters c = endpoint.counters();
            out.event("stopped", "stopped: " + c.get(Counters.Counter.HANDSHAKES) + " sessions, " + c.get(Counters.Counter.PAYLOADS_IN)
                    + " payloads in, " + c.get(Counters.Counter.PAYLOADS_OUT) + " out, " + c.totalDrops() + " datagrams dropped",
                    "counters", c.snapshot());
            done.countDown();
        }, "planetary-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        done.await();
        return 0;
    }
}
