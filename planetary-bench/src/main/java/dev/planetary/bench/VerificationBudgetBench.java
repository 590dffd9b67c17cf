package dev.planetary.bench;

import dev.planetary.identity.Address;
import dev.planetary.identity.Identity;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.identity.internal.Ecdsa384;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeCounter;
import dev.planetary.vl1.NodeEvent;
import dev.planetary.vl1.NodeOutput;
import dev.planetary.vl1.RootInfo;
import dev.planetary.vl1.engine.IdentityBlob;
import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 13, target 3 (the verification budget, VL.md §2.6): 1,000 fresh invalid identities a
 * second from 256 /24 prefixes open sessions to one root while a legitimate member comes online
 * one second in. Sans-IO on a virtual millisecond clock (the L0 simulator's model without its link
 * impairments: every datagram arrives in the same tick). Each attacker identity costs the
 * attacker two P-384 key generations and one signature — no proof of work — and has a valid
 * self-signature, so the root must spend an Argon2id evaluation to refuse it. Reports the root's
 * CPU time (ThreadMXBean, the one thread that makes every call) per virtual second, split into
 * {@code service} (where verification runs) and {@code receive}, and the virtual time the legitimate
 * member needs to be registered.
 *
 * <pre>java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.VerificationBudgetBench [virtual seconds=5] [attackers per second=1000]</pre>
 */
public final class VerificationBudgetBench {
    private VerificationBudgetBench() {}

    private record Datagram(InetSocketAddress from, InetSocketAddress to, byte[] data) {}

    /** One attacker session: a bare ZSSP context with a fresh identity that has no proof of work. */
    private static final class Attacker implements Application.WithoutRatchetStorage<String> {
        final Context<String> ctx;
        final long[] clock;

        Attacker(StaticKeyPair keys, long[] clock) {
            this.clock = clock;
            ctx = new Context<>(keys, this, Settings.defaults(), RandomSource.secure());
        }

        @Override
        public long time() {
            return clock[0];
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            return AcceptDecision.reject(true);
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        List<SecretIdentity> ids = IdentityFile.load(2);
        ArrayDeque<Datagram> wire = new ArrayDeque<>();
        InetSocketAddress rootSock = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, 1}), 9993);
        long[] now = {0};
        Node root = new Node(NodeConfig.root(rootSock), ids.get(0), output(rootSock, wire), RandomSource.secure(), 0, new IdentityVerifier());
        List<RootInfo> roots = List.of(new RootInfo(ids.get(0).identity(), ids.get(0).address(), List.of(rootSock)));
        InetSocketAddress legitSock = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 10}), 9993);
        Node[] legit = {null};
        List<String> legitEvents = new java.util.ArrayList<>();
        Map<InetSocketAddress, Attacker> attackers = new java.util.LinkedHashMap<>() { // the last 4,096: older ones are done
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Attacker> e) {
                return size() > 4096;
            }
        };
        SecureRandom rnd = new SecureRandom();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long rootService = 0, rootReceive = 0, attackerCpu = 0;
        long registeredAt = -1, legitStart = 1_000, end = seconds * 1000L;
        int sent = 0;
        long wall0 = System.nanoTime();
        for (; now[0] <= end; now[0]++) {
            long c = mx.getCurrentThreadCpuTime();
            // new attackers due by now: one every 1000/perSecond ms, prefixes round robin
            while (sent < (long) perSecond * now[0] / 1000) {
                int prefix = sent % 256;
                InetSocketAddress from = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, (byte) prefix, (byte) (sent / 256 >>> 8), (byte) (sent / 256)}), 9993);
                Attacker a = fresh(rnd, from, wire, rootSock, ids.get(0).identity(), now);
                attackers.put(from, a);
                sent++;
            }
            if (now[0] == legitStart) legit[0] = new Node(NodeConfig.member(legitSock, roots), ids.get(1), output(legitSock, wire, legitEvents), RandomSource.secure(), now[0]);
            long c1 = mx.getCurrentThreadCpuTime();
            attackerCpu += c1 - c;
            rootService -= c1;
            root.service(now[0]);
            long c2 = mx.getCurrentThreadCpuTime();
            rootService += c2;
            if (legit[0] != null) legit[0].service(now[0]);
            for (int guard = 0; !wire.isEmpty() && guard < 1_000_000; guard++) {
                Datagram d = wire.poll();
                if (d.to().equals(rootSock)) {
                    long r0 = mx.getCurrentThreadCpuTime();
                    root.receive(d.data(), d.to(), d.from(), now[0]);
                    rootReceive += mx.getCurrentThreadCpuTime() - r0;
                } else if (d.to().equals(legitSock)) {
                    legit[0].receive(d.data(), d.to(), d.from(), now[0]);
                } else {
                    Attacker a = attackers.get(d.to());
                    if (a != null) {
                        long a0 = mx.getCurrentThreadCpuTime();
                        a.ctx.receive(d.data(), remote(d.to(), rootSock, wire));
                        attackerCpu += mx.getCurrentThreadCpuTime() - a0;
                    }
                }
            }
            if (registeredAt < 0 && legit[0] != null && root.registered(ids.get(1).address()).isPresent()) registeredAt = now[0];
            if (now[0] % 20 == 0) { // attackers answer the root's challenge (ZCP) on their resend timer, like any initiator
                long a0 = mx.getCurrentThreadCpuTime();
                for (Attacker a : attackers.values()) a.ctx.service();
                attackerCpu += mx.getCurrentThreadCpuTime() - a0;
            }
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        System.out.printf(Locale.ROOT, "%d virtual s, %,d invalid identities from 256 /24 prefixes (%,d/s); wall %.1f s, load average %.2f%n",
                seconds, sent, perSecond, wall, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "root CPU: service (verification) %.2f s = %.2f cores of virtual time, receive (handshakes, HELLOs) %.2f s = %.2f cores; attackers %.2f s%n",
                rootService / 1e9, rootService / 1e9 / seconds, rootReceive / 1e9, rootReceive / 1e9 / seconds, attackerCpu / 1e9);
        System.out.printf(Locale.ROOT, "root counters: VERIFIED %d, VERIFICATION_FAILED %d, VERIFICATION_REFUSED %d, ZSSP_DROPPED %d, PEER_TABLE_FULL %d, INTERNAL_ERROR %d; tables %s%n",
                root.count(NodeCounter.VERIFIED), root.count(NodeCounter.VERIFICATION_FAILED), root.count(NodeCounter.VERIFICATION_REFUSED),
                root.count(NodeCounter.ZSSP_DROPPED), root.count(NodeCounter.PEER_TABLE_FULL), root.count(NodeCounter.INTERNAL_ERROR), root.tableSizes());
        Map<NodeCounter, Long> lc = new java.util.EnumMap<>(NodeCounter.class);
        legit[0].counters().forEach((k, v) -> { if (v != 0) lc.put(k, v); });
        System.out.printf(Locale.ROOT, "legitimate member: online %b, counters %s, events %s%n", legit[0].isOnline(), lc, legitEvents);
        System.out.printf(Locale.ROOT, "legitimate member: %s%n", registeredAt < 0 ? "NOT registered within the run" : "registered " + (registeredAt - legitStart) + " ms (virtual) after it started");
    }

    /** A fresh identity without proof of work, self-signed, claiming a random address, opening a session to the root. */
    private static Attacker fresh(SecureRandom rnd, InetSocketAddress from, ArrayDeque<Datagram> wire, InetSocketAddress rootSock, Identity rootIdentity, long[] clock) throws Exception {
        byte[] dDh = scalar(rnd), dSig = scalar(rnd);
        byte[] kDh = Ecdsa384.publicKey(dDh), kSig = Ecdsa384.publicKey(dSig);
        byte[] ctxBytes = "planetary-identity-type1-selfsig".getBytes(StandardCharsets.US_ASCII); // §2.3
        byte[] m = new byte[98 + ctxBytes.length];
        System.arraycopy(kDh, 0, m, 0, 49);
        System.arraycopy(kSig, 0, m, 49, 49);
        System.arraycopy(ctxBytes, 0, m, 98, ctxBytes.length);
        byte[] sig = Ecdsa384.sign(dSig, m);
        byte[] e = new byte[Identity.SIZE];
        e[0] = Identity.TYPE_P384;
        System.arraycopy(kDh, 0, e, 1, 49);
        System.arraycopy(kSig, 0, e, 50, 49);
        System.arraycopy(sig, 0, e, 99, 96);
        Identity id = Identity.decode(e).orThrow();
        byte[] claimed = new byte[5];
        rnd.nextBytes(claimed);
        claimed[0] = 0x42; // not the reserved 0xff prefix
        Address address = Address.read(claimed, 0);
        Attacker a = new Attacker(StaticKeyPair.fromScalar(dDh), clock);
        a.ctx.open(rootIdentity.staticPublicKey(), "root", new IdentityBlob(address, id).encode(), remote(from, rootSock, wire));
        Arrays.fill(dDh, (byte) 0);
        Arrays.fill(dSig, (byte) 0);
        return a;
    }

    private static byte[] scalar(SecureRandom rnd) {
        byte[] d = new byte[48];
        do rnd.nextBytes(d);
        while (!Ecdsa384.isValidScalar(d, 0));
        return d;
    }

    private static Remote remote(InetSocketAddress self, InetSocketAddress to, ArrayDeque<Datagram> wire) {
        return new Remote() {
            @Override
            public void send(byte[] datagram, int off, int len) {
                wire.add(new Datagram(self, to, Arrays.copyOfRange(datagram, off, off + len)));
            }

            @Override
            public byte[] addressBytes() {
                return to.toString().getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    static NodeOutput output(InetSocketAddress self, ArrayDeque<Datagram> wire) {
        return output(self, wire, new java.util.ArrayList<>());
    }

    static NodeOutput output(InetSocketAddress self, ArrayDeque<Datagram> wire, List<String> events) {
        return new NodeOutput() {
            @Override
            public void transmit(InetSocketAddress localSocket, InetSocketAddress to, byte[] datagram) {
                wire.add(new Datagram(self, to, datagram));
            }

            @Override
            public void event(NodeEvent e) {
                if (events.size() < 20) events.add(e.getClass().getSimpleName());
            }
        };
    }
}
