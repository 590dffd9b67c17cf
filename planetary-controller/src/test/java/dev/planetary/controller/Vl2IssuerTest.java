package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.RevocationReference;
import dev.planetary.vl2.RevocationState;
import dev.planetary.vl2.Signed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the controller signs verifies under planetary-vl2's member-side rules (VL.md §7.6, §8.2, §8.4). */
class Vl2IssuerTest {
    @TempDir
    Path home;

    @Test
    void issuedObjectsVerifyAndTheRevocationThresholdRevokesExactlyTheOlderCredentials() throws Exception {
        SecretIdentity ctl = TestIds.get(2), a = TestIds.get(0);
        PsoVerifier verifier = new PsoVerifier();
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(ctl.address(), store, new Vl2Issuer(ctl), IdentityCheck.verifying(new IdentityVerifier()),
                    ControllerEvents.NONE, new SplittableRandom(1));
            long now = 1_800_000_000_000L;
            long nwid = c.createNetwork(OptionalLong.of(5), ControllerJson.parseObject("""
                    {"name": "lab", "v4AssignMode": {"zt": true}, "v6AssignMode": {"rfc4193": true},
                     "ipAssignmentPools": [{"ipRangeStart": "10.9.0.1", "ipRangeEnd": "10.9.0.50"}],
                     "routes": [{"target": "10.9.0.0/24"}], "tags": [{"id": 1, "default": 0}]}""".getBytes(StandardCharsets.UTF_8)), now).id();
            c.upsertMember(nwid, a.address(), ControllerJson.parseObject("{\"authorized\": true}".getBytes(StandardCharsets.UTF_8)), now);
            ConfigAnswer.Config first = assertInstanceOf(ConfigAnswer.Config.class,
                    c.onConfigRequest(a.fingerprint(), a.address(), a.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now + 1000));
            Signed<NetworkConfig> cfg = NetworkConfig.verify(verifier, first.config().pso(), ctl.identity()).orThrow();
            Signed<MemberCredential> mc = MemberCredential.verify(verifier, first.credential().pso(), ctl.identity()).orThrow();
            Signed<RevocationList> list1 = RevocationList.verify(verifier, first.revocationList().pso(), ctl.identity()).orThrow();
            assertEquals(a.fingerprint(), cfg.value().issuedTo());
            assertEquals("lab", cfg.value().name().orElseThrow());
            assertEquals(2, mc.value().addresses().size(), "pool IPv4 and rfc4193");
            assertEquals("10.9.0.1/24", mc.value().addresses().get(0).ip().toString());
            assertTrue(cfg.value().revocations().references(list1), "the config references the list it was sent with");
            assertEquals(first.credentialContent().timestamp(), mc.timestamp());

            // a tag change: the pushed MC's timestamp is exactly the new threshold
            c.sessionUp(a.fingerprint(), a.address());
            Controller.Change<Member> ch = c.upsertMember(nwid, a.address(),
                    ControllerJson.parseObject("{\"tags\": [[1, 9]]}".getBytes(StandardCharsets.UTF_8)), now + 2000);
            Push.Config pushed = (Push.Config) ch.pushes().stream().filter(p -> p instanceof Push.Config).findFirst().orElseThrow();
            Push.RevocationList listPush = (Push.RevocationList) ch.pushes().stream().filter(p -> p instanceof Push.RevocationList).findFirst().orElseThrow();
            Signed<NetworkConfig> cfg2 = NetworkConfig.verify(verifier, pushed.config().pso(), ctl.identity()).orThrow();
            Signed<RevocationList> list2 = RevocationList.verify(verifier, listPush.list().pso(), ctl.identity()).orThrow();
            assertTrue(cfg2.value().revocations().references(list2));
            long newTs = cfg2.value().credential().timestamp();
            RevocationState state = RevocationState.empty(list2.value().networkId()).merge(list1.value()).merge(list2.value());
            assertFalse(state.isRevoked(a.fingerprint(), newTs), "the new MC stays valid");
            assertTrue(state.isRevoked(a.fingerprint(), newTs - 1), "every older MC is revoked");
            assertTrue(state.isRevoked(a.fingerprint(), mc.timestamp()));
            assertEquals(RevocationReference.of(list2), cfg2.value().revocations());

            // replicator (§10.7): MC flag bit1 and a specialist of the config with the same bit, as signed on the wire
            Controller.Change<Member> rep = c.upsertMember(nwid, a.address(),
                    ControllerJson.parseObject("{\"multicastReplicator\": true}".getBytes(StandardCharsets.UTF_8)), now + 3000);
            Push.Config pushed3 = (Push.Config) rep.pushes().stream().filter(p -> p instanceof Push.Config).findFirst().orElseThrow();
            NetworkConfig cfg3 = NetworkConfig.verify(verifier, pushed3.config().pso(), ctl.identity()).orThrow().value();
            assertEquals(List.of(new dev.planetary.vl2.Specialist(a.address(), a.fingerprint(), dev.planetary.vl2.Specialist.REPLICATOR)), cfg3.specialists());
            assertEquals(2L, cfg3.credential().value().flags());
        }
    }
}
