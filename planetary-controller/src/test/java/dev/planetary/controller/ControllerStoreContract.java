package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@link ControllerStore} contract, run against every implementation (SQLite, PostgreSQL). */
abstract class ControllerStoreContract {
    static final long NWID = 0x8056c2e21c000001L, NWID2 = 0xfe56c2e21c000002L; // the second one is negative as a long
    protected ControllerStore store;

    protected abstract ControllerStore openStore() throws Exception;

    protected abstract ControllerStore reopenStore() throws Exception;

    /** Runs one SQL statement on the store's database outside the store; {@code {p}} stands for the table prefix. */
    protected abstract void sql(String statement, Object... args) throws Exception;

    @Test
    void migrationFromVersion1KeepsWhatRulesDidThenAndSetsAsideWhatDoesNotCompile() throws Exception {
        store.putNetwork(network(NWID, "{}"));
        store.putNetwork(network(NWID2, "{}"));
        store.putNetwork(network(NWID + 1, "{}"));
        store.close();
        // as version 1 stored them: rules and capabilities as sent, unchecked
        sql("UPDATE {p}network SET settings = ? WHERE id = ?", "{\"name\": \"a\", \"rules\": [], \"capabilities\": []}", NWID);
        sql("UPDATE {p}network SET settings = ? WHERE id = ?", "{\"name\": \"b\", \"rules\": [{\"type\": \"ACTION_TEE\"}],"
                + " \"capabilities\": [{\"id\": 1, \"rules\": [{\"type\": \"MATCH_RANDOM\"}]}]}", NWID2);
        sql("UPDATE {p}network SET settings = ? WHERE id = ?", "{\"rules\": [{\"type\": \"MATCH_ETHERTYPE\", \"etherType\": 2048,"
                + " \"not\": true}, {\"type\": \"ACTION_DROP\"}, {\"type\": \"ACTION_ACCEPT\"}]}", NWID + 1);
        sql("UPDATE {p}schema_version SET version = 1");
        store = reopenStore();
        NetworkSettings a = store.network(NWID).orElseThrow().settings();
        assertEquals("a", a.name());
        assertEquals(RuleCompiler.ACCEPT, a.rules());
        NetworkSettings b = store.network(NWID2).orElseThrow().settings();
        assertEquals(RuleCompiler.ACCEPT, b.rules());
        assertTrue(b.capabilities().isEmpty());
        assertEquals("ACTION_TEE", b.stored().get("rulesNotCompiled").get(0).get("type").asText());
        assertEquals("MATCH_RANDOM", b.stored().get("capabilitiesNotCompiled").get(0).get("rules").get(0).get("type").asText());
        assertEquals("ACTION_TEE", ControllerJson.network(store.network(NWID2).orElseThrow()).get("rulesNotCompiled").get(0).get("type").asText());
        assertArrayEquals(new byte[] {(byte) 0x80 | 37, 2, 8, 0, 0, 0, 1, 0}, store.network(NWID + 1).orElseThrow().settings().rules().toArray());
        reopen(); // version 2 now: nothing migrates twice
        assertEquals("ACTION_TEE", store.network(NWID2).orElseThrow().settings().stored().get("rulesNotCompiled").get(0).get("type").asText());
    }

    @BeforeEach
    void open() throws Exception {
        store = openStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    void reopen() throws Exception {
        store.close();
        store = reopenStore();
    }

    static Network network(long id, String patch) {
        return new Network(id, 3, 1000, ControllerJson.applyNetwork(NetworkSettings.defaults(),
                ControllerJson.parseObject(patch.getBytes(StandardCharsets.UTF_8))));
    }

    static Member member(long nwid, long address, boolean authorized, long created) {
        Member.Builder b = Member.fresh(nwid, new Address(address), ControllerTest.fp((int) address), "identity-text", created).edit();
        b.authorized = authorized;
        b.revision = 0xFFFF_FFFFL;
        b.ipAssignments = List.of(Ip.parse("10.0.0.1").orElseThrow(), Ip.parse("fd00::1").orElseThrow());
        b.tags = new TreeMap<>(Map.of(1L, 2L, 0xFFFF_FFFFL, 5L));
        b.capabilities = new java.util.TreeSet<>(List.of(9L));
        b.activeBridge = true;
        b.credentialMaxDelta = 600_000;
        b.lastAuthorizedTime = 77;
        b.lastRequestTime = created + 5;
        b.stored.put("name", "laptop").put("ssoExempt", true);
        return b.build();
    }

    @Test
    void networksRoundTripWithEverySetting() throws Exception {
        Network n = network(NWID, """
                {"name": "lab", "private": false, "mtu": 1400, "multicastLimit": 7, "v4AssignMode": {"zt": true},
                 "v6AssignMode": {"zt": true, "rfc4193": true, "6plane": true},
                 "ipAssignmentPools": [{"ipRangeStart": "10.0.0.1", "ipRangeEnd": "10.0.0.9"}],
                 "routes": [{"target": "10.0.0.0/24", "via": null, "metric": 3}, {"target": "0.0.0.0/0", "via": "10.0.0.1"}],
                 "tags": [{"id": 5, "default": 1}], "dns": {"domain": "x"},
                 "rules": [{"type": "MATCH_IP_DEST_PORT_RANGE", "start": 22, "end": 22}, {"type": "ACTION_BREAK"}, {"type": "ACTION_ACCEPT"}],
                 "capabilities": [{"id": 7, "rules": [{"type": "MATCH_TAG_SENDER", "id": 5, "value": 2}, {"type": "ACTION_ACCEPT"}]}],
                 "arpEmulation": true, "credentialMaxDelta": 300000, "allowUnownedSourceIps": true}""");
        store.putNetwork(n);
        store.putNetwork(network(NWID2, "{}"));
        reopen();
        Network back = store.network(NWID).orElseThrow();
        assertEquals(ControllerJson.network(n), ControllerJson.network(back));
        assertEquals(n.settings().routes(), back.settings().routes());
        assertEquals(n.settings().rules(), back.settings().rules());
        assertEquals(n.settings().capabilities(), back.settings().capabilities());
        assertEquals(RuleCompiler.ACCEPT, store.network(NWID2).orElseThrow().settings().rules()); // a new network's default
        assertEquals("x", back.settings().stored().get("dns").get("domain").asText());
        assertEquals(List.of(NWID2, NWID).stream().sorted().toList(), store.networkIds());
        assertTrue(store.network(NWID + 5).isEmpty());
    }

    @Test
    void aNetworksSettingsAreCompiledOnceAcrossReadsAndAgainAfterAnEdit() {
        JdbcControllerStore jdbc = (JdbcControllerStore) store;
        store.putNetwork(network(NWID, """
                {"dns": {"domain": "x"}, "rules": [{"type": "MATCH_IP_DEST_PORT_RANGE", "start": 22, "end": 22}, {"type": "ACTION_DROP"},
                 {"type": "ACTION_ACCEPT"}], "capabilities": [{"id": 7, "rules": [{"type": "ACTION_ACCEPT"}]}]}"""));
        long before = jdbc.settingsCompilations();
        Network first = store.network(NWID).orElseThrow();
        for (int i = 0; i < 100; i++) assertEquals(ControllerJson.network(first), ControllerJson.network(store.network(NWID).orElseThrow()));
        assertEquals(before + 1, jdbc.settingsCompilations(), "compiled once for 101 reads");
        first.settings().stored().removeAll(); // a reader's settings are its own: the cache is untouched
        assertEquals("x", store.network(NWID).orElseThrow().settings().stored().get("dns").get("domain").asText());

        store.putNetwork(new Network(NWID, 4, 1000, ControllerJson.applyNetwork(first.settings(),
                ControllerJson.parseObject("{\"rules\": [{\"type\": \"ACTION_ACCEPT\"}]}".getBytes(StandardCharsets.UTF_8)))));
        for (int i = 0; i < 10; i++) assertEquals(RuleCompiler.ACCEPT, store.network(NWID).orElseThrow().settings().rules(), "the edit is seen");
        assertEquals(before + 2, jdbc.settingsCompilations(), "compiled again once after the edit");
        store.deleteNetwork(NWID);
        assertTrue(store.network(NWID).isEmpty());
    }

    @Test
    void membersRoundTripAndListByAddress() throws Exception {
        store.putNetwork(network(NWID, "{}"));
        Member a = member(NWID, 0x0200000000L, true, 10), b = member(NWID, 0x0100000000L, false, 20);
        store.putMember(a);
        store.putMember(b);
        reopen();
        assertEquals(a, store.member(NWID, a.address()).orElseThrow());
        assertEquals(List.of(b, a), store.members(NWID));
        Member.Builder unbound = Member.fresh(NWID, new Address(0x0300000000L), null, null, 5).edit();
        store.putMember(unbound.build());
        Member u = store.member(NWID, new Address(0x0300000000L)).orElseThrow();
        assertNull(u.fingerprint());
        assertNull(u.identity());
        store.deleteMember(NWID, a.address());
        assertTrue(store.member(NWID, a.address()).isEmpty());
        assertTrue(store.members(NWID2).isEmpty());
    }

    @Test
    void pendingRowsCountOldestAndExpiry() {
        store.putMember(member(NWID, 0x0100000000L, false, 300));
        store.putMember(member(NWID, 0x0200000000L, false, 100));
        store.putMember(member(NWID, 0x0300000000L, true, 50));
        Member.Builder never = Member.fresh(NWID, new Address(0x0400000000L), null, null, 200).edit();
        store.putMember(never.build());
        assertEquals(3, store.unauthorizedCount(NWID));
        assertEquals(new Address(0x0200000000L), store.oldestUnauthorized(NWID).orElseThrow().address());
        // last request 305, 105; the unbound row never requested: its creation time 200 counts
        assertEquals(2, store.deleteUnauthorizedBefore(250));
        assertEquals(List.of(new Address(0x0100000000L), new Address(0x0300000000L)),
                store.members(NWID).stream().map(Member::address).toList());
    }

    @Test
    void tokensRoundTripConsumeAndDelete() throws Exception {
        JoinToken t = new JoinToken(NWID, "0011223344556677", Controller.sha384(new byte[] {1}), 5, 99, 3, 3, new TreeMap<>(Map.of(1L, 2L)));
        store.putToken(t);
        store.putToken(t.consumed());
        reopen();
        JoinToken back = store.tokens(NWID).get(0);
        assertEquals(2, back.usesLeft());
        assertEquals(3, back.uses());
        assertArrayEquals(t.hash(), back.hash());
        assertEquals(t.tags(), back.tags());
        assertFalse(store.deleteToken(NWID, "ffffffffffffffff"));
        assertTrue(store.deleteToken(NWID, t.id()));
        assertTrue(store.tokens(NWID).isEmpty());
    }

    @Test
    void revocationsRoundTripWithTheSignedList() throws Exception {
        Revocations r = Revocations.start(NWID, 10, 300_000).revoke(ControllerTest.fp(1), 20, 20, 600_000);
        r = r.withSigned(new Signed(new byte[] {1, 2, 3}, new byte[48]));
        store.putRevocations(r);
        reopen();
        Revocations back = store.revocations(NWID).orElseThrow();
        assertEquals(r.entries(), back.entries());
        assertEquals(r.revision(), back.revision());
        assertEquals(r.floor(), back.floor());
        assertEquals(r.timestamp(), back.timestamp());
        assertEquals(600_000, back.largestMaxDelta());
        assertArrayEquals(new byte[] {1, 2, 3}, back.signed().pso());
        store.putRevocations(Revocations.start(NWID2, 10, 300_000));
        assertNull(store.revocations(NWID2).orElseThrow().signed());
    }

    @Test
    void clockCeilingSurvivesReopen() throws Exception {
        assertEquals(0, store.clockCeiling());
        store.putClockCeiling(1234);
        store.putClockCeiling(5678);
        reopen();
        assertEquals(5678, store.clockCeiling());
    }

    @Test
    void transactionRollsBackOnException() {
        assertThrows(IllegalStateException.class, () -> store.transaction(() -> {
            store.putNetwork(network(NWID, "{}"));
            store.transaction(() -> {
                store.putClockCeiling(99);
                return null;
            });
            throw new IllegalStateException("abort");
        }));
        assertTrue(store.network(NWID).isEmpty());
        assertEquals(0, store.clockCeiling());
        store.transaction(() -> {
            store.putNetwork(network(NWID, "{}"));
            return null;
        });
        assertTrue(store.network(NWID).isPresent());
    }

    @Test
    void deletingANetworkDeletesItsMembersTokensAndRevocations() {
        store.putNetwork(network(NWID, "{}"));
        store.putNetwork(network(NWID2, "{}"));
        store.putMember(member(NWID, 0x0100000000L, true, 1));
        store.putMember(member(NWID2, 0x0100000000L, true, 1));
        store.putToken(new JoinToken(NWID, "0011223344556677", new byte[48], 1, 2, 1, 1, new TreeMap<>()));
        store.putRevocations(Revocations.start(NWID, 1, 300_000));
        store.deleteNetwork(NWID);
        assertTrue(store.network(NWID).isEmpty());
        assertTrue(store.members(NWID).isEmpty());
        assertTrue(store.tokens(NWID).isEmpty());
        assertTrue(store.revocations(NWID).isEmpty());
        assertEquals(1, store.members(NWID2).size());
    }
}
