package dev.planetary.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.daemon.HttpMessages.Response;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.RootSet;
import dev.planetary.identity.RootSets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local API's root set administration (VL.md §4.1 sources, §4.2 pinning), behind
 * {@code planetary roots list|add|remove}: {@code GET /planetary/roots}, {@code POST /planetary/roots}
 * (body {@code {"base64": <set>, "frozen": bool}}) and {@code DELETE /planetary/roots/<name>}. Added
 * sets go to {@code <home>/roots.d/<name>.rootset} (plus {@code <name>.frozen}); the daemon then
 * re-reads its sets and switches roots without a restart.
 */
final class RootSetAdmin {
    private final Daemon daemon;

    RootSetAdmin(Daemon daemon) {
        this.daemon = daemon;
    }

    Map<String, Object> list() {
        List<Map<String, Object>> sets = new ArrayList<>();
        for (RootSets.Accepted a : daemon.rootSets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", a.name());
            m.put("revision", a.valid().set().revision());
            m.put("frozen", a.frozen());
            m.put("source", Files.exists(file(a.name(), ".rootset")) ? "roots.d" : "default");
            m.put("pushed", Files.exists(RootSetSources.pushedFile(daemon.home(), a.name())));
            List<String> roots = new ArrayList<>();
            a.valid().addresses().forEach(x -> roots.add(x.toString()));
            m.put("roots", roots);
            sets.add(m);
        }
        return Map.of("sets", sets);
    }

    Response add(byte[] body) {
        JsonNode n;
        try {
            n = HttpMessages.JSON.readTree(body);
        } catch (IOException e) {
            return Response.error(400, "body is not JSON");
        }
        if (n == null || !n.isObject() || !n.hasNonNull("base64") || !n.get("base64").isTextual()) return Response.error(400, "body needs 'base64' (the root set file's bytes)");
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(n.get("base64").textValue());
        } catch (IllegalArgumentException e) {
            return Response.error(400, "base64 is malformed");
        }
        boolean frozen = n.path("frozen").asBoolean(false);
        Decoded<RootSet.Valid> d = RootSet.decode(bytes).flatMap(s -> s.validate(new IdentityVerifier()));
        if (d instanceof Decoded.Invalid<RootSet.Valid> inv) {
            return Response.error(400, "not a valid root set: " + inv.reason().name().toLowerCase(java.util.Locale.ROOT) + " (" + inv.detail() + ")");
        }
        RootSet set = d.orThrow().set();
        Path f = file(set.name(), ".rootset");
        if (Files.exists(f)) return Response.error(409, "a set named " + set.name() + " is already added; remove it first");
        try {
            if (frozen) {
                Files.createDirectories(f.getParent());
                Files.write(file(set.name(), ".frozen"), new byte[0]);
            }
            if (!RootSetSources.save(daemon.home(), set, ".rootset", daemon.events())) return Response.error(500, "cannot write " + f);
            daemon.reloadRootSets();
        } catch (IOException | RootSetSources.RootSetException e) {
            return Response.error(500, "added " + f + " but could not switch to it: " + e.getMessage());
        }
        return Response.json(200, Map.of("added", set.name(), "revision", set.revision(), "frozen", frozen, "file", f.toString()));
    }

    Response remove(String name) {
        if (!RootSet.isValidName(name)) return Response.error(400, "not a root set name (1..64 of [a-z0-9.-])");
        Path f = file(name, ".rootset");
        if (!Files.exists(f)) return Response.error(404, "no set named " + name + " in " + f.getParent() + " (the embedded default and --rootset are not removable)");
        List<RootSets.Accepted> rest = new ArrayList<>(daemon.rootSets());
        rest.removeIf(a -> a.name().equals(name) && Files.exists(f));
        if (daemon.role() == EngineContext.Role.NODE && RootSets.effectiveRoots(rest, null).isEmpty()) {
            return Response.error(409, "removing " + name + " would leave this node without roots; add another set first");
        }
        try {
            Files.delete(f);
            Files.deleteIfExists(file(name, ".frozen"));
            Files.deleteIfExists(RootSetSources.pushedFile(daemon.home(), name));
            daemon.reloadRootSets();
        } catch (IOException | RootSetSources.RootSetException e) {
            return Response.error(500, "cannot remove " + f + ": " + e.getMessage());
        }
        return Response.json(200, Map.of("removed", name));
    }

    private Path file(String name, String suffix) {
        return daemon.home().resolve("roots.d").resolve(name + suffix);
    }
}
