package dev.planetary.vl2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.NetworkId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** §8.2 steps 1–4 ({@link CredentialCheck}), §7.6 steps 1–4 ({@link ConfigCheck}) and §8.4 member storage ({@link RevocationState}). */
class ChecksTest {
    static final SecretIdentity KEY = Fixtures.controller();
    static final Fingerprint CTRL = KEY.fingerprint();
    static final NetworkId N = Fixtures.NWID;
    static final Fingerprint R = Fixtures.fingerprint(0x40), S = Fixtures.MEMBER;
    static final long T = Fixtures.TS, DELTA = Vl2Limits.MAX_DELTA_DEFAULT;

    static Signed<MemberCredential> mc(Fingerprint to, long ts, long maxDelta) {
        return new MemberCredential(N, to, Fixtures.MEMBER_ADDRESS, 1, maxDelta, 0, List.of(), List.of(), List.of()).sign(KEY, ts);
    }

    static CredentialCheck.Result check(Signed<MemberCredential> peer, Signed<MemberCredential> own, RevocationState rs) {
        return CredentialCheck.check(N, CTRL, S, peer, own, rs);
    }

    @Test
    void credentialSteps() {
        RevocationState none = RevocationState.empty(N);
        Signed<MemberCredential> own = mc(R, T, DELTA);
        assertEquals(CredentialCheck.Result.VALID, check(mc(S, T, DELTA), own, none));
        assertEquals(CredentialCheck.Result.VALID, check(mc(S, T + DELTA, DELTA), own, none), "window edge inclusive");
        assertEquals(CredentialCheck.Result.VALID, check(mc(S, T - DELTA, DELTA), own, none));
        assertEquals(CredentialCheck.Result.WINDOW_PEER_NEWER, check(mc(S, T + DELTA + 1, DELTA), own, none));
        assertEquals(CredentialCheck.Result.WINDOW_PEER_OLDER, check(mc(S, T - DELTA - 1, DELTA), own, none));
        // the window is the minimum of both max-deltas, so both ends decide alike
        long small = Vl2Limits.MAX_DELTA_MIN;
        assertEquals(CredentialCheck.Result.WINDOW_PEER_NEWER, check(mc(S, T + small + 1, DELTA), mc(R, T, small), none));
        assertEquals(CredentialCheck.Result.WINDOW_PEER_NEWER, check(mc(S, T + small + 1, small), own, none));
        assertEquals(CredentialCheck.Result.WRONG_HOLDER, check(mc(Fixtures.OTHER, T, DELTA), own, none));
        Signed<MemberCredential> otherNet = new MemberCredential(new NetworkId(N.value() + 1), S, Fixtures.MEMBER_ADDRESS, 1, DELTA, 0,
                List.of(), List.of(), List.of()).sign(KEY, T);
        assertEquals(CredentialCheck.Result.WRONG_NETWORK, check(otherNet, own, none));
        assertEquals(CredentialCheck.Result.WRONG_ISSUER, CredentialCheck.check(N, Fixtures.OTHER, S, mc(S, T, DELTA), own, none));
        // step 4
        RevocationState revoked = none.merge(new RevocationList(N, 2, 0, List.of(Revocation.of(S, T + 1))));
        assertEquals(CredentialCheck.Result.REVOKED, check(mc(S, T, DELTA), own, revoked));
        assertEquals(CredentialCheck.Result.VALID, check(mc(S, T + 1, DELTA), own, revoked), "threshold is exclusive");
        RevocationState floored = none.merge(new RevocationList(N, 2, T, List.of()));
        assertEquals(CredentialCheck.Result.REVOKED, check(mc(S, T - 1, DELTA), own, floored));
        assertEquals(CredentialCheck.Result.VALID, check(mc(S, T, DELTA), own, floored));
    }

    @Test
    void newestWins() {
        Signed<MemberCredential> a = mc(S, T, DELTA), later = mc(S, T + 1, DELTA);
        Signed<MemberCredential> rev2 = new MemberCredential(N, S, Fixtures.MEMBER_ADDRESS, 2, DELTA, 0, List.of(), List.of(), List.of()).sign(KEY, T - 5);
        assertTrue(CredentialCheck.isNewer(a, null));
        assertTrue(CredentialCheck.isNewer(later, a));
        assertFalse(CredentialCheck.isNewer(a, later));
        assertFalse(CredentialCheck.isNewer(a, a));
        assertTrue(CredentialCheck.isNewer(rev2, later), "revision before timestamp");
    }

    @Test
    void revocationStateMergesNeverUnrevokesAndPrunes() {
        RevocationState s = RevocationState.empty(N);
        RevocationList l2 = new RevocationList(N, 2, 10, List.of(Revocation.of(S, T)));
        assertTrue(s.isNewer(l2));
        s = s.merge(l2);
        assertEquals(2, s.revision());
        assertFalse(s.isNewer(l2));
        assertTrue(s.isRevoked(S, T - 1));
        // a later list without the entry and with a lower threshold for S never un-revokes
        s = s.merge(new RevocationList(N, 3, 5, List.of(Revocation.of(S, T - 100), Revocation.of(Fixtures.OTHER, T))));
        assertEquals(3, s.revision());
        assertEquals(10, s.floor(), "the highest floor is kept");
        assertTrue(s.isRevoked(S, T - 1));
        assertTrue(s.isRevoked(Fixtures.OTHER, T - 1));
        assertTrue(s.isRevoked(R, 9), "below the floor");
        assertFalse(s.isRevoked(R, T));
        assertEquals(2, s.entries().size());
        // prune: an entry older than own ts − maxDelta goes
        assertEquals(2, s.prune(T + DELTA, DELTA).size());
        assertEquals(0, s.prune(T + DELTA + 1, DELTA).size());
        RevocationState fs = s;
        assertThrows(IllegalArgumentException.class, () -> fs.merge(RevocationList.initial(new NetworkId(7))));
        // the stored set is bounded: the lowest thresholds go first
        RevocationState big = RevocationState.empty(N);
        for (int list = 0; list < 5; list++) {
            List<Revocation> entries = new ArrayList<>();
            for (int i = 0; i < Vl2Limits.MAX_REVOCATIONS; i++) entries.add(new Revocation(prefix(list, i), T + list));
            big = big.merge(new RevocationList(N, list + 1, 0, entries));
        }
        assertEquals(Vl2Limits.MAX_STORED_REVOCATIONS, big.size());
        assertEquals(Long.valueOf(T + 1), big.entries().stream().map(Revocation::threshold).min(Long::compare).orElseThrow());
    }

    static dev.planetary.vl1.Bytes prefix(int list, int i) {
        byte[] b = new byte[16];
        b[0] = (byte) list;
        b[14] = (byte) (i >> 8);
        b[15] = (byte) i;
        return dev.planetary.vl1.Bytes.of(b);
    }

    @Test
    void revocationListAlone() {
        RevocationList l = Fixtures.revocationList();
        assertTrue(l.isRevoked(Fixtures.OTHER, T - 1001));
        assertFalse(l.isRevoked(Fixtures.OTHER, T - 1000));
        assertTrue(l.isRevoked(Fixtures.MEMBER, l.floor() - 1));
        assertFalse(l.isRevoked(Fixtures.MEMBER, T));
    }

    static Signed<NetworkConfig> config(long revision, long ts, Signed<MemberCredential> mc, Optional<RuleList> rules) {
        NetworkConfig base = Fixtures.config(mc, Fixtures.revocationList().sign(KEY, T));
        return new NetworkConfig(base.networkId(), base.issuedTo(), revision, base.flags(), base.mtu(), base.revocations(),
                base.multicastLimit(), base.likeExpiry(), base.name(), base.routes(), rules, base.capabilities(), base.tags(),
                base.specialists(), mc).sign(KEY, ts);
    }

    @Test
    void minimalConfigUsesTheDefaults() {
        Signed<MemberCredential> mine = mc(S, T, DELTA);
        NetworkConfig c = NetworkConfig.of(mine, 1, NetworkConfig.FLAG_BROADCAST, RevocationReference.of(RevocationList.initial(N).sign(KEY, T)));
        assertEquals(N, c.networkId());
        assertEquals(Vl2Limits.MTU_DEFAULT, c.mtu());
        assertEquals(32, c.effectiveMulticastLimit());
        assertEquals(600_000, c.effectiveLikeExpiry());
        assertEquals(RuleList.ACCEPT, c.effectiveBaseRules());
        assertEquals(c, NetworkConfig.parse(c.sign(KEY, T).encoded()).orThrow().value());
    }

    @Test
    void configSteps() {
        Signed<MemberCredential> mine = mc(S, T, DELTA);
        Signed<NetworkConfig> c = config(5, T, mine, Optional.empty());
        assertEquals(ConfigCheck.Result.ACCEPT, ConfigCheck.check(c, N, CTRL, S, null));
        assertEquals(ConfigCheck.Result.WRONG_ISSUER, ConfigCheck.check(c, N, Fixtures.OTHER, S, null));
        assertEquals(ConfigCheck.Result.WRONG_NETWORK, ConfigCheck.check(c, new NetworkId(1), CTRL, S, null));
        assertEquals(ConfigCheck.Result.WRONG_MEMBER, ConfigCheck.check(c, N, CTRL, R, null));
        assertEquals(ConfigCheck.Result.CLIENT_TOO_OLD,
                ConfigCheck.check(config(5, T, mine, Optional.of(RuleList.of(new byte[] {4, 0}))), N, CTRL, S, null), "REDIRECT is reserved");
        SecretIdentity other = Fixtures.other();
        Signed<MemberCredential> foreign = new MemberCredential(N, S, Fixtures.MEMBER_ADDRESS, 1, DELTA, 0, List.of(), List.of(), List.of()).sign(other, T);
        assertEquals(ConfigCheck.Result.BAD_CREDENTIAL, ConfigCheck.check(config(5, T, foreign, Optional.empty()), N, CTRL, S, null));
        assertEquals(ConfigCheck.Result.NOT_NEWER, ConfigCheck.check(c, N, CTRL, S, c));
        assertEquals(ConfigCheck.Result.ACCEPT, ConfigCheck.check(config(5, T + 1, mine, Optional.empty()), N, CTRL, S, c), "same revision, later");
        assertEquals(ConfigCheck.Result.NOT_NEWER, ConfigCheck.check(config(4, T + 9, mine, Optional.empty()), N, CTRL, S, c), "lower revision");
        assertEquals(ConfigCheck.Result.ACCEPT, ConfigCheck.check(config(-1L, T, mine, Optional.empty()), N, CTRL, S, c), "revision is a u64");
    }
}
