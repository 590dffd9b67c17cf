package dev.planetary.vl2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.PsoVerifier;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void signParseVerifyAll() {
        var key = Fixtures.controller();
        var mc = Fixtures.credential().sign(key, Fixtures.TS);
        var list = Fixtures.revocationList().sign(key, Fixtures.TS);
        var cfg = Fixtures.config(mc, list).sign(key, Fixtures.TS + 1);
        assertEquals(mc, MemberCredential.parse(mc.encoded()).orThrow());
        assertEquals(Fixtures.credential(), MemberCredential.parse(mc.encoded()).orThrow().value());
        assertEquals(list.value(), RevocationList.parse(list.encoded()).orThrow().value());
        assertEquals(cfg.value(), NetworkConfig.parse(cfg.encoded()).orThrow().value());
        var v = new PsoVerifier();
        assertTrue(NetworkConfig.verify(v, cfg.encoded(), key.identity()).isOk());
        assertTrue(cfg.value().allRuleTypesKnown());
        var msg = NetworkConfigMessage.of(cfg, true);
        assertEquals(msg, Vl2Codec.decode(msg.encode()).orThrow());
    }
}
