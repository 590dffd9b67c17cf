package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code planetary.json} (VL.md §2.10): defaults, overrides, unknown keys warned, bad values refused by name. */
class DaemonConfigTest {
    static DaemonConfig parse(String json) throws DaemonConfig.ConfigException {
        return DaemonConfig.parse(json.getBytes(StandardCharsets.UTF_8), "planetary.json");
    }

    @Test
    void emptyObjectGivesDefaults() throws Exception {
        DaemonConfig c = parse("{}");
        assertEquals(DaemonConfig.DEFAULT_PORT, c.port());
        assertEquals("info", c.logLevel());
        assertEquals(Path.of("/h/planetary.sock"), c.apiSocket(Path.of("/h")));
        assertTrue(c.warnings().isEmpty());
    }

    @Test
    void settingsAreRead() throws Exception {
        DaemonConfig c = parse("{\"port\": 0, \"bind\": \"::1\", \"api\": {\"socket\": \"/run/planetary/planetary.sock\", \"tcp\": true, \"port\": 9994},"
                + " \"log\": {\"level\": \"debug\", \"file\": \"/tmp/p.log\"}}");
        assertEquals(0, c.port());
        assertEquals("::1", c.bind());
        assertEquals(Path.of("/run/planetary/planetary.sock"), c.apiSocket(Path.of("/h")));
        assertTrue(c.apiTcp());
        assertEquals(9994, c.apiPort());
        assertEquals("debug", c.logLevel());
        assertEquals(Path.of("/tmp/p.log"), c.logFile());
    }

    @Test
    void unknownKeysAreWarnedAndIgnored() throws Exception {
        DaemonConfig c = parse("{\"colour\": \"blue\", \"api\": {\"tls\": true}, \"port\": 1234}");
        assertEquals(1234, c.port());
        assertEquals(2, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains("'colour'") && c.warnings().get(1).contains("'api.tls'"), c.warnings().toString());
    }

    @Test
    void badValuesNameTheirKey() {
        String[][] cases = {{"{\"port\": 70000}", "'port'"}, {"{\"port\": \"9993\"}", "'port'"}, {"{\"bind\": \"example.com\"}", "'bind'"},
                {"{\"api\": {\"tcp\": \"yes\"}}", "'api.tcp'"}, {"{\"log\": {\"level\": \"loud\"}}", "loud"}, {"{\"api\": 3}", "'api'"},
                {"[1, 2]", "one JSON object"}, {"{\"port\": ", "not valid JSON"}};
        for (String[] c : cases) {
            DaemonConfig.ConfigException e = assertThrows(DaemonConfig.ConfigException.class, () -> parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void forwardExposeListsPortsAndIsEmptyByDefault() throws Exception {
        assertTrue(parse("{}").forwardExpose().isEmpty(), "§12.8: nothing is exposed by default");
        assertEquals(java.util.Set.of(22, 8080), parse("{\"forward\": {\"expose\": [22, 8080, 22]}}").forwardExpose());
        for (String bad : new String[] {"{\"forward\": {\"expose\": [0]}}", "{\"forward\": {\"expose\": [70000]}}",
                "{\"forward\": {\"expose\": \"22\"}}", "{\"forward\": 1}"}) {
            DaemonConfig.ConfigException e = assertThrows(DaemonConfig.ConfigException.class, () -> parse(bad), bad);
            assertTrue(e.getMessage().contains("'forward"), e.getMessage());
        }
    }

    @Test
    void rendezvousAllowTakesFingerprintsOrAStar() throws Exception {
        String fp = dev.planetary.identity.SecretIdentity.generate(new java.security.SecureRandom(), 1).fingerprint().toBase32();
        assertEquals(java.util.List.of(fp, "*"), parse("{\"rendezvous\": {\"allow\": [\"" + fp + "\", \"*\"]}}").rendezvousAllow());
        assertTrue(parse("{}").rendezvousAllow().isEmpty(), "default: consent to nobody");
        for (String bad : new String[] {"{\"rendezvous\": {\"allow\": \"*\"}}", "{\"rendezvous\": {\"allow\": [\"not-a-fingerprint\"]}}", "{\"rendezvous\": 1}"}) {
            DaemonConfig.ConfigException e = assertThrows(DaemonConfig.ConfigException.class, () -> parse(bad), bad);
            assertTrue(e.getMessage().contains("rendezvous"), e.getMessage());
        }
    }

    @Test
    void portMappingIsOffByDefaultAndABoolean() throws Exception {
        assertEquals(false, parse("{}").portMapping());
        assertEquals(true, parse("{\"portMapping\": true}").portMapping());
        DaemonConfig.ConfigException e = assertThrows(DaemonConfig.ConfigException.class, () -> parse("{\"portMapping\": \"yes\"}"));
        assertTrue(e.getMessage().contains("portMapping"), e.getMessage());
    }
}
