package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGather;
import dev.planetary.vl2.MulticastGroup;
import dev.planetary.vl2.MulticastLike;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's GATHER/LIKE input path under hostile bytes (VL.md §10.2, §10.3): mutated
 * MULTICAST_LIKE and MULTICAST_GATHER messages from members, impostors and strangers go through the
 * link's decoding ({@link ControllerLink#decodeGather}, {@link MulticastLike#decode}) into the engine.
 * Nothing throws; every answer holds only authorised members other than the requester, with their
 * own identities, at most 240; the LIKE tables stay within their bounds. Deterministic (seeded).
 */
class ControllerMulticastFuzzTest {
    static final int ROUNDS = 20_000;

    @TempDir
    Path home;

    @Test
    void mutatedLikesAndGathersNeverThrowAndNeverLeak() throws IOException {
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            long now = ControllerTest.T0;
            Controller c = new Controller(ControllerTest.SELF, store, new RecordingIssuer(), IdentityCheck.verifying(ControllerTest.VERIFIER),
                    ControllerEvents.NONE, new SplittableRandom(1));
            long nwid = c.createNetwork(OptionalLong.of(1), ControllerTest.json("""
                    {"routes": [{"target": "10.1.0.0/24"}, {"target": "fd00::/64"}]}"""), now).id();
            SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
            Map<Address, SecretIdentity> members = Map.of(a.address(), a, b.address(), b);
            String[] ips = {"[\"10.1.0.4\"]", "[\"10.1.0.5\", \"fd00::ab:cdef\"]"};
            int k = 0;
            for (SecretIdentity m : List.of(a, b)) {
                c.upsertMember(nwid, m.address(), ControllerTest.json("{\"authorized\": true, \"noAutoAssignIps\": true, \"ipAssignments\": " + ips[k++] + "}"), now);
                now += 1_000;
                c.onConfigRequest(m.fingerprint(), m.address(), m.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now);
            }
            SplittableRandom r = new SplittableRandom(42);
            Fingerprint stranger = Fingerprint.of(bytes(r, Fingerprint.SIZE));
            int answers = 0, decoded = 0;
            for (int round = 0; round < ROUNDS; round++) {
                now += r.nextInt(60);
                int who = r.nextInt(4);
                Fingerprint peer = who == 0 ? a.fingerprint() : who == 1 ? b.fingerprint() : stranger;
                Address claimed = who == 3 ? a.address() : who == 2 ? new Address(0x10_0000_0000L + r.nextInt(1 << 20)) : (who == 0 ? a : b).address();
                byte[] msg = mutate(r, r.nextBoolean() ? like(r, nwid) : gather(r, nwid));
                byte[] copy = msg.clone();
                if (MulticastLike.decode(msg) instanceof Decoded.Ok<MulticastLike> ok) {
                    decoded++;
                    c.onLike(peer, claimed, ok.value().networkId().value(), ok.value().groups(), now);
                }
                ControllerLink.GatherRequest g = ControllerLink.decodeGather(msg);
                assertArrayEquals(copy, msg, "decoding leaves the input alone");
                if (g == null) continue;
                decoded++;
                Optional<GatherReply> reply = c.onGather(peer, claimed, g.gather().networkId().value(), g.gather().group(), g.limit(), now);
                if (reply.isEmpty()) continue;
                answers++;
                GatherReply ans = reply.get();
                assertTrue(members.containsKey(claimed) && members.get(claimed).fingerprint().equals(peer), "only members are answered");
                assertTrue(ans.members().size() <= Math.max(1, Math.min(g.limit(), ControllerLimits.GATHER_LIMIT_MAX)));
                assertTrue(ans.withIdentities());
                for (GatherReply.Member m : ans.members()) {
                    assertNotEquals(claimed, m.address(), "never the requester");
                    SecretIdentity listed = members.get(m.address());
                    assertTrue(listed != null, "only authorised members are listed");
                    assertArrayEquals(listed.identity().encoded(), m.identity().orElseThrow().toArray());
                }
                assertTrue(c.likes(nwid) <= 2 * ControllerLimits.MAX_LIKES_PER_MEMBER, "LIKEs bounded per member");
            }
            assertTrue(decoded > ROUNDS / 10, "the mutations reach the engine: " + decoded);
            assertTrue(answers > 100, "and some are answered: " + answers);
            assertEquals(0L, c.counters().getOrDefault("likeRefusedFull", 0L));
            assertTrue(c.counters().getOrDefault("gatherRateLimited", 0L) + c.counters().getOrDefault("gatherNotMember", 0L) > 0);
        }
    }

    static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** A group near the interesting ones: ARP for the assigned addresses, solicited-node, broadcast, random. */
    static MulticastGroup group(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> new MulticastGroup(MacAddress.BROADCAST, 0x0a010000L | r.nextInt(8));
            case 1 -> new MulticastGroup(new MacAddress(0x3333ffabcdefL ^ r.nextInt(2)), 0);
            case 2 -> new MulticastGroup(MacAddress.BROADCAST, 0);
            default -> new MulticastGroup(new MacAddress(r.nextLong() & 0xffff_ffff_ffffL), r.nextLong() & 0xffff_ffffL);
        };
    }

    static byte[] like(SplittableRandom r, long nwid) {
        List<MulticastGroup> groups = new ArrayList<>();
        int n = 1 + r.nextInt(r.nextBoolean() ? 4 : 256);
        for (int i = 0; i < n; i++) groups.add(group(r));
        return new MulticastLike(new NetworkId(nwid), groups).encode();
    }

    static byte[] gather(SplittableRandom r, long nwid) {
        byte[] m = new MulticastGather(1 + r.nextInt(1 << 30), new NetworkId(nwid), group(r), 1 + r.nextInt(240)).encode();
        if (r.nextInt(4) == 0) { // an absurd limit: 0 or beyond 240
            int limit = r.nextBoolean() ? 0 : 241 + r.nextInt(65_295);
            m[m.length - 2] = (byte) (limit >> 8);
            m[m.length - 1] = (byte) limit;
        }
        return m;
    }

    /** Mostly valid, else cut, extended, or with bytes flipped from a random point. */
    static byte[] mutate(SplittableRandom r, byte[] valid) {
        return switch (r.nextInt(5)) {
            case 0, 1 -> valid;
            case 2 -> Arrays.copyOf(valid, r.nextInt(valid.length + 1) + (r.nextBoolean() ? 0 : r.nextInt(16)));
            case 3 -> {
                byte[] m = valid.clone();
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) m[1 + r.nextInt(m.length - 1)] ^= (byte) (1 + r.nextInt(255));
                yield m;
            }
            default -> bytes(r, 1 + r.nextInt(64));
        };
    }
}
