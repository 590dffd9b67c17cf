package dev.planetary.bench;

import dev.planetary.controller.ConfigAnswer;
import dev.planetary.controller.ConfigRequest;
import dev.planetary.controller.Controller;
import dev.planetary.controller.ControllerEvents;
import dev.planetary.controller.ControllerJson;
import dev.planetary.controller.Issuer;
import dev.planetary.controller.JdbcControllerStore;
import dev.planetary.controller.Signed;
import dev.planetary.identity.Address;
import dev.planetary.identity.Identity;
import dev.planetary.nic.MacAddress;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGroup;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * Issue 16 target (VL.md §10.3): ≥ 10,000 MULTICAST_GATHERs/s answered by one controller with
 * 1,000 members. The engine runs on its real SQLite store; each member is authorised with an IPv4
 * address and has requested its config (so its identity is on file); every member LIKEs the
 * broadcast group (ff:ff:ff:ff:ff:ff, 0). Each measured operation is one GATHER from the next
 * member in turn through {@link Controller#onGather} plus the OK(GATHER) message encoding the link
 * sends; the virtual clock advances 1 ms per GATHER (each member asks once a second, within its
 * budget) and every member re-LIKEs each 60 virtual seconds, as members announce (§10.2).
 * Identities are distinct P-384 key pairs without the address proof of work (the bench's identity
 * check accepts them), which would take ≈ 1 s each; configs are "signed" by a no-op issuer (the
 * signing cost is ControllerBench's subject, not this one's).
 *
 * <pre>java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.GatherBench [seconds per phase=5] [members=1000]</pre>
 */
public final class GatherBench {
    private GatherBench() {}

    /** An issuer that signs nothing: fixed bytes, so that setting up 1,000 members costs no signatures. */
    private static final Issuer UNSIGNED = new Issuer() {
        @Override
        public Signed credential(dev.planetary.controller.CredentialContent c) {
            return new Signed(new byte[] {1}, new byte[48]);
        }

        @Override
        public Signed config(dev.planetary.controller.ConfigContent c, Signed credential) {
            return new Signed(new byte[] {2}, new byte[48]);
        }

        @Override
        public Signed revocationList(dev.planetary.controller.RevocationListContent c) {
            return new Signed(new byte[] {3}, new byte[48]);
        }
    };

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        if (count < 2 || count > 60_000) throw new IllegalArgumentException("members: 2..60,000");
        List<Identity> ids = identities(count);
        Path home = Files.createTempDirectory("gather-bench");
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(new Address(0x8056c2e21cL), store, UNSIGNED, (id, a) -> true, ControllerEvents.NONE, new SplittableRandom(1));
            long[] clock = {System.currentTimeMillis()};
            long nwid = c.createNetwork(OptionalLong.of(1), ControllerJson.parseObject("""
                    {"routes": [{"target": "10.0.0.0/16"}]}""".getBytes(StandardCharsets.UTF_8)), clock[0]).id();
            List<Address> addresses = new ArrayList<>();
            long setup0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                Address a = new Address(0x10_0000_0000L + i);
                addresses.add(a);
                String ip = "10.0." + (1 + i / 250) + "." + (1 + i % 250);
                c.upsertMember(nwid, a, ControllerJson.parseObject(("{\"authorized\": true, \"ipAssignments\": [\"" + ip + "\"]}")
                        .getBytes(StandardCharsets.UTF_8)), clock[0]);
                ConfigAnswer ans = c.onConfigRequest(ids.get(i).fingerprint(), a, ids.get(i), new ConfigRequest(nwid, 0, 0, null, "p"), clock[0]);
                if (ans instanceof ConfigAnswer.Refused r) throw new IllegalStateException("member " + i + " refused: " + r);
            }
            System.out.printf(Locale.ROOT, "%d members set up in %.1f s%n", count, (System.nanoTime() - setup0) / 1e9);
            MulticastGroup broadcast = new MulticastGroup(MacAddress.BROADCAST, 0);
            Runnable likeAll = () -> {
                for (int i = 0; i < count; i++) c.onLike(ids.get(i).fingerprint(), addresses.get(i), nwid, List.of(broadcast), clock[0]);
            };
            likeAll.run();
            if (c.likes(nwid) != count) throw new IllegalStateException("LIKEs recorded: " + c.likes(nwid));
            int[] next = {0};
            long[] bytes = {0}, lastLike = {clock[0]};
            for (int phase = 0; phase < 2; phase++) {
                boolean arp = phase == 0;
                bytes[0] = 0;
                Runnable one = () -> {
                    int i = next[0];
                    next[0] = (i + 1) % count;
                    clock[0]++;
                    if (clock[0] - lastLike[0] >= 60_000) {
                        likeAll.run();
                        lastLike[0] = clock[0];
                    }
                    int target = (i + 1) % count; // ARP: the next member's address
                    MulticastGroup g = arp ? new MulticastGroup(MacAddress.BROADCAST, 0x0a000000L | (1 + target / 250) << 8 | (1 + target % 250)) : broadcast;
                    Optional<GatherReply> r = c.onGather(ids.get(i).fingerprint(), addresses.get(i), nwid, g, 32, clock[0]);
                    if (r.isEmpty()) throw new IllegalStateException("no answer: " + c.counters());
                    bytes[0] += Vl1Codec.encode(r.get().toOk(Verb.MULTICAST_GATHER, i + 1)).length;
                };
                ControllerBench.run(arp ? "ARP gather (authoritative, 1 record)" : "broadcast-group gather (32 of " + (count - 1) + " LIKEs, format 1)",
                        "answers", one, seconds);
            }
            System.out.println("counters: " + c.counters());
        } finally {
            ControllerBench.deleteTree(home);
        }
    }

    /** {@code n} identities with distinct P-384 keys (both points valid, no self-signature or proof of work). */
    static List<Identity> identities(int n) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        List<Identity> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] e = new byte[Identity.SIZE];
            e[0] = Identity.TYPE_P384;
            compressed((ECPublicKey) g.generateKeyPair().getPublic(), e, 1);
            compressed((ECPublicKey) g.generateKeyPair().getPublic(), e, 50);
            out.add(Identity.decode(e).orThrow());
        }
        return out;
    }

    private static void compressed(ECPublicKey k, byte[] out, int off) {
        BigInteger x = k.getW().getAffineX(), y = k.getW().getAffineY();
        out[off] = (byte) (y.testBit(0) ? 3 : 2);
        byte[] xb = x.toByteArray();
        int len = Math.min(xb.length, 48);
        System.arraycopy(xb, xb.length - len, out, off + 1 + 48 - len, len);
    }
}
