package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Root sets on running daemons, black box (VL.md §4.1, §4.2, §2.10): a root started with a newer
 * revision pushes it to a node holding the older one, which switches roots and keeps the update in
 * {@code roots.d/<name>.pushed}; {@code planetary roots list|add|remove} over the local API with
 * their errors; the node's ratchets live in {@code node.db} (0600).
 */
class RootsIT extends BlackBoxTest {
    private Path set(String name, long revision, String out, DaemonFixture.Daemon... roots) throws Exception {
        return DaemonFixture.rootSet(dir, name, revision, out, roots);
    }

    private PlanetaryProcess roots(DaemonFixture.Daemon d, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("roots"));
        a.addAll(List.of(args));
        a.addAll(List.of("--home", d.home().toString()));
        return PlanetaryProcess.run(dir, 60, a.toArray(String[]::new));
    }

    @Test
    void aPushedRevisionSwitchesTheNodesRootsAndTheRootsCommandsManageSets() throws Exception {
        DaemonFixture.Daemon r1 = DaemonFixture.start(dir, "root", "r1");
        DaemonFixture.Daemon r2 = DaemonFixture.start(dir, "root", "r2");
        Path rev1 = set("it", 1, "it1.rootset", r1);
        Path rev2 = set("it", 2, "it2.rootset", r1, r2);
        // r1 restarts knowing revision 2 (same home, same port), so it pushes it (§4.2)
        assertEquals(0, DaemonFixture.terminate(r1));
        r1 = DaemonFixture.start(dir, "root", "r1", "--port", String.valueOf(r1.port()), "--rootset", rev2.toString());

        DaemonFixture.Daemon node = DaemonFixture.start(dir, "node", "n", "--rootset", rev1.toString());
        DaemonFixture.awaitEvent(node, 20, "rootset.updated", "\"name\":\"it\"", "\"revision\":2");
        DaemonFixture.awaitEvent(node, 20, "session.new", "\"role\":\"PLANET\"", "\"address\":\"" + r2.address() + "\"");
        assertTrue(Files.exists(node.home().resolve("roots.d/it.pushed")), "the accepted push is kept for restarts");
        assertEquals(2, node.get("/status").path("rootSets").path(0).path("revision").asLong());

        PlanetaryProcess list = roots(node, "list", "--json");
        assertEquals(0, list.exitCode(), list.err.text());
        JsonNode sets = DaemonFixture.JSON.readTree(list.out.text()).path("sets");
        assertEquals("it", sets.path(0).path("name").asText(), list.out.text());
        assertTrue(sets.path(0).path("pushed").asBoolean(), list.out.text());
        assertEquals(2, sets.path(0).path("roots").size(), list.out.text());

        Path extra = set("extra", 1, "extra.rootset", r2);
        PlanetaryProcess add = roots(node, "add", extra.toString(), "--frozen");
        assertEquals(0, add.exitCode(), add.err.text());
        assertTrue(Files.exists(node.home().resolve("roots.d/extra.rootset")) && Files.exists(node.home().resolve("roots.d/extra.frozen")));
        PlanetaryProcess again = roots(node, "add", extra.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err.text().contains("already added"), again.err.text());
        Files.write(dir.resolve("junk.rootset"), new byte[] {'P', 'L', 'R', 'T', 1, 0});
        PlanetaryProcess junk = roots(node, "add", dir.resolve("junk.rootset").toString());
        assertEquals(1, junk.exitCode());
        assertTrue(junk.err.text().contains("not a valid root set"), junk.err.text());
        PlanetaryProcess human = roots(node, "list");
        assertTrue(human.out.text().contains("extra revision 1 (roots.d, frozen)") && human.out.text().contains("it revision 2 (default, updated in-band)"), human.out.text());

        PlanetaryProcess pinned = roots(node, "remove", "it");
        assertEquals(1, pinned.exitCode());
        assertTrue(pinned.err.text().contains("not removable"), pinned.err.text());
        PlanetaryProcess rm = roots(node, "remove", "extra");
        assertEquals(0, rm.exitCode(), rm.err.text());
        assertTrue(!Files.exists(node.home().resolve("roots.d/extra.rootset")));

        // §2.10 / §3.3: the member's ratchets are in node.db, private
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(node.home().resolve("node.db"))));
        // a restart keeps the pushed revision (re-checked against the pinned revision 1)
        assertEquals(0, DaemonFixture.terminate(node));
        node = DaemonFixture.start(dir, "node", "n", "--rootset", rev1.toString());
        assertEquals(2, node.get("/status").path("rootSets").path(0).path("revision").asLong());
    }
}
