package dev.planetary.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.controller.Controller;
import dev.planetary.controller.ControllerJson;
import dev.planetary.controller.ControllerStore;
import dev.planetary.controller.FieldException;
import dev.planetary.controller.JoinToken;
import dev.planetary.controller.Member;
import dev.planetary.controller.Network;
import dev.planetary.controller.NetworkIds;
import dev.planetary.controller.Push;
import dev.planetary.daemon.HttpMessages.Request;
import dev.planetary.daemon.HttpMessages.Response;
import dev.planetary.identity.Address;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller API (VL.md §13.3), shaped after ZeroTier's controller API so that its scripts and
 * web UIs work with a base-URL change: {@code /controller}, {@code /controller/network[/{nwid}]},
 * {@code …/member[/{address}]}, and Planetary's {@code …/token[/{id}]}. Bad JSON or a bad field is
 * 400 {@code {"error": …, "field": …}} with nothing stored; an unknown object 404.
 * The pushes an operator change needs go to {@code pusher} (the VL1 side sends them).
 */
public final class ControllerApi implements HttpMessages.Router {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerApi.class);
    /** ZeroTier's API version for its controller object. */
    public static final int API_VERSION = 4;
    private static final String PREFIX = "/controller";
    private static final String RANDOM_SUFFIX = "______";

    private final Controller controller;
    private final LongSupplier clock;
    private final Consumer<List<Push>> pusher;

    public ControllerApi(Controller controller, LongSupplier clock, Consumer<List<Push>> pusher) {
        this.controller = controller;
        this.clock = clock;
        this.pusher = pusher;
    }

    @Override
    public Response handle(Request r) {
        String p = r.path();
        if (!p.equals(PREFIX) && !p.startsWith(PREFIX + "/")) return Response.error(404, "no such endpoint");
        String[] s = p.substring(1).split("/", -1);
        try {
            return route(r, s);
        } catch (FieldException e) {
            return Response.json(400, Map.of("error", e.getMessage(), "field", e.field()));
        } catch (Controller.NotFound e) {
            return Response.error(404, e.getMessage());
        } catch (IllegalStateException e) {
            return Response.error(409, e.getMessage());
        } catch (ControllerStore.StoreException e) {
            LOG.error("controller store failed", e);
            return Response.error(503, "the controller's store failed; see the log");
        }
    }

    private Response route(Request r, String[] s) {
        String m = r.method();
        if (s.length == 1) return m.equals("GET") ? Response.json(200, Map.of("controller", true, "apiVersion", API_VERSION,
                "clock", clock.getAsLong())) : notAllowed();
        if (!s[1].equals("network")) return Response.error(404, "no such endpoint");
        if (s.length == 2) {
            if (m.equals("GET")) {
                ArrayNode a = ControllerJson.MAPPER.createArrayNode();
                controller.networkIds().forEach(id -> a.add(NetworkIds.format(id)));
                return Response.json(200, a);
            }
            if (m.equals("POST")) return created(controller.createNetwork(OptionalLong.empty(), body(r), clock.getAsLong()));
            return notAllowed();
        }
        if (s.length == 3 && m.equals("POST") && s[2].toLowerCase(Locale.ROOT).equals(controller.address() + RANDOM_SUFFIX)) {
            return created(controller.createNetwork(OptionalLong.empty(), body(r), clock.getAsLong()));
        }
        long nwid = NetworkIds.parse(s[2]).orElseThrow(() -> new FieldException("nwid", "16 hex digits (or <controller address>______ to create one)"));
        if (s.length == 3) return network(r, nwid);
        if (s[3].equals("member")) {
            if (s.length == 4) return m.equals("GET") ? memberList(nwid) : notAllowed();
            if (s.length == 5) return member(r, nwid, address(s[4]));
        } else if (s[3].equals("token")) {
            if (s.length == 4) return tokens(r, nwid);
            if (s.length == 5) {
                if (!m.equals("DELETE")) return notAllowed();
                return controller.deleteToken(nwid, s[4]) ? Response.json(200, Map.of("id", s[4], "deleted", true))
                        : Response.error(404, "no such token");
            }
        }
        return Response.error(404, "no such endpoint");
    }

    private static ObjectNode body(Request r) {
        return ControllerJson.parseObject(r.body());
    }

    private static Response notAllowed() {
        return Response.error(405, "method not allowed");
    }

    private static Response created(Network n) {
        return Response.json(200, ControllerJson.network(n));
    }

    private static Address address(String text) {
        return Address.parse(text.toLowerCase(Locale.ROOT)).orElseThrow(() -> new FieldException("address", "10 hex digits"));
    }

    private void push(List<Push> pushes) {
        if (!pushes.isEmpty()) pusher.accept(pushes);
    }

    private Response network(Request r, long nwid) {
        long now = clock.getAsLong();
        switch (r.method()) {
            case "GET":
                return controller.network(nwid).map(n -> Response.json(200, ControllerJson.network(n, controller.specialists(nwid)))).orElseGet(() -> notFound(nwid));
            case "POST": {
                ObjectNode body = body(r);
                if (controller.network(nwid).isEmpty()) {
                    if (NetworkIds.controllerAddress(nwid) != controller.address().value()) {
                        throw new FieldException("nwid", "a network id starts with this controller's address " + controller.address());
                    }
                    return created(controller.createNetwork(OptionalLong.of(nwid & NetworkIds.NUMBER_MASK), body, now));
                }
                Controller.Change<Network> c = controller.updateNetwork(nwid, body, now);
                push(c.pushes());
                return Response.json(200, ControllerJson.network(c.value(), controller.specialists(nwid)));
            }
            case "DELETE": {
                Optional<Network> n = controller.network(nwid);
                if (n.isEmpty() || !controller.deleteNetwork(nwid)) return notFound(nwid);
                return Response.json(200, ControllerJson.network(n.get()));
            }
            default:
                return notAllowed();
        }
    }

    private static Response notFound(long nwid) {
        return Response.error(404, "network " + NetworkIds.format(nwid) + " not found");
    }

    private Response memberList(long nwid) {
        if (controller.network(nwid).isEmpty()) return notFound(nwid);
        ObjectNode o = ControllerJson.MAPPER.createObjectNode();
        for (Member m : controller.members(nwid)) o.put(m.address().toString(), m.revision());
        return Response.json(200, o);
    }

    private Response member(Request r, long nwid, Address a) {
        long now = clock.getAsLong();
        switch (r.method()) {
            case "GET":
                return controller.member(nwid, a).map(m -> Response.json(200, ControllerJson.member(m)))
                        .orElseGet(() -> Response.error(404, "member " + a + " not found"));
            case "POST": {
                Controller.Change<Member> c = controller.upsertMember(nwid, a, body(r), now);
                push(c.pushes());
                return Response.json(200, ControllerJson.member(c.value()));
            }
            case "DELETE": {
                Optional<Member> m = controller.member(nwid, a);
                Controller.Change<Boolean> c = controller.deleteMember(nwid, a, now);
                push(c.pushes());
                return m.isPresent() && c.value() ? Response.json(200, ControllerJson.member(m.get()))
                        : Response.error(404, "member " + a + " not found");
            }
            default:
                return notAllowed();
        }
    }

    private Response tokens(Request r, long nwid) {
        if (r.method().equals("GET")) {
            if (controller.network(nwid).isEmpty()) return notFound(nwid);
            ArrayNode a = ControllerJson.MAPPER.createArrayNode();
            for (JoinToken t : controller.tokens(nwid)) a.add(token(t, null));
            return Response.json(200, a);
        }
        if (!r.method().equals("POST")) return notAllowed();
        Controller.CreatedToken t = controller.createToken(nwid, body(r), clock.getAsLong());
        return Response.json(200, token(t.token(), t.text()));
    }

    /** §13.3: {@code {"id", "token" (only when just made), "expiresAt", "uses", "usesLeft", "tags"}}. */
    private static ObjectNode token(JoinToken t, String text) {
        ObjectNode o = ControllerJson.MAPPER.createObjectNode().put("id", t.id());
        if (text != null) o.put("token", text);
        o.put("expiresAt", t.expiresAt()).put("uses", t.uses()).put("usesLeft", t.usesLeft());
        ArrayNode tags = o.putArray("tags");
        t.tags().forEach((k, v) -> tags.addArray().add(k).add(v));
        return o;
    }
}
