package dev.planetary.controller;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.ErrorMessage;
import dev.planetary.vl1.Nop;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl2.CredentialItem;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGather;
import dev.planetary.vl2.MulticastLike;
import dev.planetary.vl2.NetworkConfigMessage;
import dev.planetary.vl2.NetworkConfigRequest;
import dev.planetary.vl2.NetworkCredentials;
import dev.planetary.vl2.node.SeqexLink;
import dev.planetary.vl2.node.Vl2Layer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The controller on a VL1 node (VL.md §7.3, §7.5, §8.3): answers NETWORK_CONFIG_REQUEST and
 * credential queries arriving on SEQEX channel 0 of the node's {@link Vl2Layer}, follows the
 * member sessions for the pushes, and sends the pushes of operator changes. It also takes the
 * plain MULTICAST_LIKE and MULTICAST_GATHER of members (§10.2, §10.3) and answers the gathers with
 * OK(GATHER) — nothing when there is nothing to say.
 *
 * <p>Thread model: the node's. {@link #send} must be called on the node's thread too (the daemon
 * hands the pushes of its API threads over to its loop). Hostile input never throws: a malformed
 * request is answered with ERROR INVALID_REQUEST, other verbs with UNSUPPORTED_OPERATION, and
 * both are counted.
 */
public final class ControllerLink {
    /** A MULTICAST_GATHER is {@code 0x0d ‖ u32 request id ‖ u64 nwid ‖ 6 MAC ‖ u32 ADI ‖ u16 limit}: 25 bytes, the limit last (§10.3). */
    private static final int GATHER_BYTES = 25, GATHER_LIMIT_OFFSET = 23;

    private final Controller controller;
    private final java.util.function.LongSupplier clock;
    private final Vl2Layer layer;
    private final Function<Fingerprint, String> sourcePrefix;
    private final Map<String, Long> counters = new TreeMap<>();

    /**
     * Registers on channel 0 of {@code layer} (which must have no other channel-0 user) and as its
     * session listener.
     *
     * @param sourcePrefix the source /24 or /64 of a peer's session, as text (§7.5: the new-row rate per prefix)
     */
    public ControllerLink(Controller controller, Vl2Layer layer, Function<Fingerprint, String> sourcePrefix) {
        this(controller, layer, sourcePrefix, () -> layer.node().now());
    }

    /**
     * Like {@link #ControllerLink(Controller, Vl2Layer, Function)}, with the clock the engine is given
     * for config requests and credential queries, whose times are stored and signed: the same Unix-ms
     * clock as the API's changes (§7.5: one issuance clock; the node's own clock counts from its
     * start). LIKE and GATHER budgets stay on the node's clock (never stored nor signed).
     */
    public ControllerLink(Controller controller, Vl2Layer layer, Function<Fingerprint, String> sourcePrefix, java.util.function.LongSupplier clock) {
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        this.controller = controller;
        this.layer = layer;
        this.sourcePrefix = sourcePrefix;
        layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, new SeqexLink.ChannelHandler() {
            @Override
            public boolean accepts(Fingerprint peer) {
                return true; // §6.3: anyone may ask a controller
            }

            @Override
            public void onMessage(SeqexLink.Incoming m) {
                received(m);
            }
        });
        layer.handle(Verb.MULTICAST_LIKE, this::like);
        layer.handle(Verb.MULTICAST_GATHER, this::gather);
        layer.addSessionListener(new Vl2Layer.SessionListener() {
            @Override
            public void sessionUp(Fingerprint peer, Address address) {
                if (address != null) controller.sessionUp(peer, address); // else at its first request, once bound
            }

            @Override
            public void sessionDown(Fingerprint peer, String reason) {
                controller.sessionDown(peer);
            }
        });
    }

    /**
     * After a start (a restart included) the controller has no member sessions, and its members do
     * not know theirs died until {@code T_SESSION_DEAD} (60 s): this opens a session with those of
     * the authorised members {@code from} to {@code from + max} that have none
     * ({@link Controller#unreachedMembers}; §6.4: both ends keep the controller session). A member
     * takes the new session in place of its dead one and asks for its config at once (§7.6), so the
     * pushes of operator changes reach it again within seconds. Returns whether members follow; the
     * node refuses (counted here) what its lookup table cannot hold.
     */
    public boolean reachMembers(int from, int max) {
        Controller.Unreached u = controller.unreachedMembers(from, max);
        for (Address a : u.addresses()) count(layer.node().send(a, Nop.empty()) ? "reachStarted" : "reachDropped");
        return u.more();
    }

    /** Reaches the revoked members a change found without a session ({@link Controller#takeReachSoon}). */
    public void reachRevoked() {
        for (Address a : controller.takeReachSoon()) count(layer.node().send(a, Nop.empty()) ? "reachStarted" : "reachDropped");
    }

    /** What happened, for metrics. */
    public Map<String, Long> counters() {
        return Map.copyOf(counters);
    }

    private void count(String what) {
        counters.merge(what, 1L, Long::sum);
    }

    private void received(SeqexLink.Incoming m) {
        byte[] msg = m.message();
        int verb = msg[0] & 0xff;
        if (!m.expectsReply()) {
            count("droppedNotARequest");
            return;
        }
        if (verb == Verb.NETWORK_CONFIG_REQUEST) configRequest(m, msg);
        else if (verb == Verb.NETWORK_CREDENTIALS) query(m, msg);
        else {
            count("unsupported");
            m.reply(Vl1Codec.encode(ErrorMessage.unsupported(verb)), false);
        }
    }

    private void configRequest(SeqexLink.Incoming m, byte[] msg) {
        Decoded<NetworkConfigRequest> d = NetworkConfigRequest.decode(msg);
        if (!(d instanceof Decoded.Ok<NetworkConfigRequest> ok)) {
            count("invalidRequest");
            m.reply(error(Verb.NETWORK_CONFIG_REQUEST, ErrorMessage.INVALID_REQUEST, ErrorMessage.Detail.NONE), false);
            return;
        }
        // A new session's claim may still wait for the node's own check (§2.6): the engine verifies the
        // identity against the claimed address itself before it creates or binds a row (§7.5 step 2).
        Address claimed = m.address() != null ? m.address() : layer.node().claimedAddress(m.peer()).orElse(null);
        if (claimed == null) {
            count("addressUnknown");
            m.reply(Vl1Codec.encode(ErrorMessage.rateLimited(Verb.NETWORK_CONFIG_REQUEST, 0, ControllerLimits.RETRY_AFTER_RATE_S)), false);
            return;
        }
        NetworkConfigRequest r = ok.value();
        controller.sessionUp(m.peer(), claimed); // the address may have been bound after the session came up (§2.6)
        long nwid = r.networkId().value();
        ConfigRequest req = new ConfigRequest(nwid, r.configRevision(), r.revocationRevision(),
                r.token().map(t -> t.getBytes(StandardCharsets.US_ASCII)).orElse(null), sourcePrefix.apply(m.peer()));
        ConfigAnswer a = controller.onConfigRequest(m.peer(), claimed, layer.node().identity(m.peer()).orElse(null), req, clock.getAsLong());
        if (!(a instanceof ConfigAnswer.Refused) && m.address() == null) layer.node().bindVouched(m.peer(), claimed); // the row proved it
        switch (a) {
            case ConfigAnswer.Config c -> {
                m.reply(new NetworkConfigMessage(r.networkId(), 0, Bytes.of(c.config().pso())).encode(), true);
                if (c.revocationList() != null) pushList(m.peer(), nwid, c.revocationList());
            }
            case ConfigAnswer.FreshCredential f -> {
                m.reply(NetworkCredentials.of(r.networkId(), new CredentialItem.Credential(Bytes.of(f.credential().pso()))).encode(), true);
                if (f.revocationList() != null) pushList(m.peer(), nwid, f.revocationList());
            }
            case ConfigAnswer.Refused refused -> m.reply(refusal(Verb.NETWORK_CONFIG_REQUEST, nwid, refused), false);
        }
        count("configRequest");
    }

    /** The claimed address of a plain message's sender: bound, or claimed and still being checked (the engine gates on row and fingerprint). */
    private Address sender(Fingerprint peer, Address address) {
        return address != null ? address : layer.node().claimedAddress(peer).orElse(null);
    }

    private void like(Fingerprint peer, Address address, byte[] msg) {
        if ((msg[0] & 0xff) != Verb.MULTICAST_LIKE) { // an OK or ERROR in-re LIKE: the controller sent none
            count("droppedAnswer");
            return;
        }
        if (!(MulticastLike.decode(msg) instanceof Decoded.Ok<MulticastLike> ok)) {
            count("invalidLike");
            return;
        }
        controller.onLike(peer, sender(peer, address), ok.value().networkId().value(), ok.value().groups(), layer.node().now());
        count("like");
    }

    private void gather(Fingerprint peer, Address address, byte[] msg) {
        if ((msg[0] & 0xff) != Verb.MULTICAST_GATHER) { // an OK or ERROR in-re GATHER: the controller asks nobody
            count("droppedAnswer");
            return;
        }
        GatherRequest req = decodeGather(msg);
        if (req == null) {
            count("invalidGather");
            return;
        }
        MulticastGather g = req.gather();
        Optional<GatherReply> r = controller.onGather(peer, sender(peer, address), g.networkId().value(), g.group(), req.limit(), layer.node().now());
        if (r.isEmpty()) return; // §10.3: no reply when the list is empty (refusals are counted by the engine)
        if (layer.node().sendUpper(peer, Vl1Codec.encode(r.get().toOk(Verb.MULTICAST_GATHER, g.requestId())))) count("gatherReplied");
        else count("gatherReplyDropped");
    }

    /** A MULTICAST_GATHER as received: the request, and its limit as sent (an absurd one is clamped by the engine, §10.3). */
    record GatherRequest(MulticastGather gather, int limit) {}

    /** Decodes a MULTICAST_GATHER, accepting any u16 limit (the codec refuses 0 and > 240); null if malformed. */
    static GatherRequest decodeGather(byte[] msg) {
        byte[] m = msg;
        int limit = msg.length == GATHER_BYTES ? (msg[GATHER_LIMIT_OFFSET] & 0xff) << 8 | (msg[GATHER_LIMIT_OFFSET + 1] & 0xff) : 1;
        if (limit < 1 || limit > ControllerLimits.GATHER_LIMIT_MAX) {
            m = msg.clone();
            m[GATHER_LIMIT_OFFSET] = 0;
            m[GATHER_LIMIT_OFFSET + 1] = 1;
        }
        return MulticastGather.decode(m) instanceof Decoded.Ok<MulticastGather> ok ? new GatherRequest(ok.value(), limit) : null;
    }

    private void query(SeqexLink.Incoming m, byte[] msg) {
        Decoded<NetworkCredentials> d = NetworkCredentials.decode(msg);
        List<CredentialItem> items = d instanceof Decoded.Ok<NetworkCredentials> ok ? ok.value().items() : List.of();
        if (items.size() != 1 || m.address() == null
                || !(items.get(0) instanceof CredentialItem.QueryRevocationList || items.get(0) instanceof CredentialItem.QueryByAddress
                        || items.get(0) instanceof CredentialItem.QueryByFingerprint)) {
            count("invalidQuery");
            m.reply(error(Verb.NETWORK_CREDENTIALS, ErrorMessage.INVALID_REQUEST, ErrorMessage.Detail.NONE), false);
            return;
        }
        NetworkId nwid = ((Decoded.Ok<NetworkCredentials>) d).value().networkId();
        CredentialItem q = items.get(0);
        if (q instanceof CredentialItem.QueryByFingerprint) { // rows are keyed by address (§14.2); members query by address
            m.reply(error(Verb.NETWORK_CREDENTIALS, ErrorMessage.OBJ_NOT_FOUND, new ErrorMessage.Detail.NetworkId(nwid.value())), false);
            return;
        }
        Address asked = q instanceof CredentialItem.QueryByAddress byAddress ? byAddress.address() : null;
        Controller.QueryAnswer a = controller.onQuery(m.peer(), m.address(), nwid.value(), asked, clock.getAsLong());
        if (a.refused() != null) {
            m.reply(refusal(Verb.NETWORK_CREDENTIALS, nwid.value(), a.refused()), false);
            return;
        }
        CredentialItem item = asked == null ? new CredentialItem.RevocationListItem(Bytes.of(a.found().pso()))
                : new CredentialItem.Credential(Bytes.of(a.found().pso()));
        m.reply(NetworkCredentials.of(nwid, item).encode(), true);
        count("query");
    }

    private static byte[] error(int inRe, int code, ErrorMessage.Detail detail) {
        return Vl1Codec.encode(new ErrorMessage(inRe, 0, code, detail));
    }

    private static byte[] refusal(int inRe, long nwid, ConfigAnswer.Refused r) {
        return switch (r.code()) {
            case OBJ_NOT_FOUND -> error(inRe, ErrorMessage.OBJ_NOT_FOUND, new ErrorMessage.Detail.NetworkId(nwid));
            case NETWORK_ACCESS_DENIED -> error(inRe, ErrorMessage.NETWORK_ACCESS_DENIED, new ErrorMessage.Detail.AccessDenied(nwid, r.reason()));
            case RATE_LIMITED -> Vl1Codec.encode(ErrorMessage.rateLimited(inRe, 0, r.retryAfterSeconds()));
        };
    }

    private static final SeqexLink.ReplyHandler IGNORE = new SeqexLink.ReplyHandler() {
        @Override
        public void onReply(byte[] message) {
            // an empty OK or an ERROR (§6.1): nothing to do either way; the member asks again if it must
        }

        @Override
        public void onFailure(String reason) {
            // session lost: the member gets the current state when it next asks (§7.5 "Pushes")
        }
    };

    private boolean pushList(Fingerprint to, long nwid, Signed list) {
        byte[] m = NetworkCredentials.of(new NetworkId(nwid), new CredentialItem.RevocationListItem(Bytes.of(list.pso()))).encode();
        return layer.seqex().request(to, SeqexLink.CHANNEL_CONTROL, m, true, IGNORE);
    }

    /**
     * Sends the pushes of an operator change (§7.5 "Pushes"): configs as unsolicited NETWORK_CONFIG
     * (PAYLOAD_SEQCST requests), revocation lists as NETWORK_CREDENTIALS. Returns how many were sent;
     * one to a member without a session (or with a full window) is dropped and counted: the member
     * gets the current state when it next asks.
     */
    public int send(List<Push> pushes) {
        int sent = 0;
        for (Push p : pushes) {
            boolean ok = switch (p) {
                case Push.Config c -> layer.seqex().request(c.to(), SeqexLink.CHANNEL_CONTROL,
                        new NetworkConfigMessage(new NetworkId(c.networkId()), NetworkConfigMessage.UNSOLICITED, Bytes.of(c.config().pso())).encode(),
                        true, IGNORE);
                case Push.RevocationList l -> pushList(l.to(), l.networkId(), l.list());
            };
            if (ok) sent++;
            else count("pushDropped");
        }
        return sent;
    }
}
