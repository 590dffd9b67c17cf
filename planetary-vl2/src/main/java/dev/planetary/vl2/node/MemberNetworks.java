package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.ErrorMessage;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.Nop;
import dev.planetary.vl1.Ok;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl2.ConfigCheck;
import dev.planetary.vl2.CredentialCheck;
import dev.planetary.vl2.CredentialItem;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.NetworkConfigMessage;
import dev.planetary.vl2.NetworkConfigRequest;
import dev.planetary.vl2.NetworkCredentials;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.Signed;
import dev.planetary.zssp.RandomSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The member side of VL2 (VL.md §7.2, §7.6, §8.2–§8.4): the table of joined networks (at most
 * {@link #MAX_NETWORKS}), the join flow with its retry schedule, acceptance of configs, credentials
 * and revocation lists from the pinned controller (or, before the pin, the session peer at
 * {@code nwid >> 24}: trust on first use), persistence through a {@link NetworkStore}, the refresh,
 * and the credential gate for the data plane ({@link MemberNetwork#allowed}).
 *
 * <p>Everything from the network is hostile: what fails a check is refused, counted
 * ({@link #counters()}) and not stored. Thread model: the node's; {@link #service} from the driver's loop.
 */
public final class MemberNetworks implements SeqexLink.ChannelHandler, Vl2Layer.SessionListener {
    /** §7.2 {@code MAX_NETWORKS}. */
    public static final int MAX_NETWORKS = 64;
    /** §7.2 retry schedule. */
    static final long BACKOFF_MIN = 2_000, BACKOFF_MAX = 60_000, RETRY_PENDING = 30_000, RETRY_SLOW = 300_000;
    /** §8.3: NEED_MEMBERSHIP_CERTIFICATE and presentations at most once per second per peer. */
    static final long NEED_INTERVAL = 1_000;
    /** §8.2: NEED_MEMBERSHIP_CERTIFICATE twice within this right after presenting: the own MC is stale. */
    static final long NEED_REFRESH_WINDOW = 10_000;
    /** §8.3: peers presented to within this get the new own MC when it changes. */
    static final long REPRESENT_WINDOW = 300_000;
    /** §8.3 rumor mill: a peer holding an older revocation list gets ours at most once per 60 s (and is asked for a newer one as often). */
    static final long LIST_SEND_INTERVAL = 60_000;
    /** A member peer's revocation lists are looked at (parsed, verified) at most once per second: one list per message. */
    static final long LIST_FROM_PEER_INTERVAL = 1_000;

    private final Node node;
    private final SeqexLink seqex;
    private final NetworkStore store;
    private final RandomSource rng;
    private final String softwareVersion;
    private final PsoVerifier verifier = new PsoVerifier();
    private final Map<NetworkId, MemberNetwork> networks = new LinkedHashMap<>();
    private final Map<String, Long> counters = new TreeMap<>();
    private final List<Consumer<MemberNetwork>> listeners = new ArrayList<>();
    private final List<java.util.function.BiConsumer<MemberNetwork, Fingerprint>> peerListeners = new ArrayList<>();

    /** Attaches the member engine to {@code layer}: channel 0 (§6.3) and member-to-member NETWORK_CREDENTIALS (§8.3). */
    public MemberNetworks(Vl2Layer layer, NetworkStore store, RandomSource rng, String softwareVersion) {
        this.node = layer.node();
        this.seqex = layer.seqex();
        this.store = Objects.requireNonNull(store, "store");
        this.rng = Objects.requireNonNull(rng, "rng");
        this.softwareVersion = Objects.requireNonNull(softwareVersion, "softwareVersion");
        seqex.handle(SeqexLink.CHANNEL_CONTROL, this);
        layer.handle(Verb.NETWORK_CREDENTIALS, this::onPeerCredentials);
        layer.addSessionListener(this);
    }

    /** Called with a network and a peer whenever a presentation of the peer's MC was accepted (§8.3). */
    public void onPeerAccepted(java.util.function.BiConsumer<MemberNetwork, Fingerprint> listener) {
        peerListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Called with a network whenever its state, config or credential changed, or it was left (then absent from {@link #networks()}). */
    public void onChange(Consumer<MemberNetwork> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ---------------------------------------------------------------- API

    /**
     * Joins {@code network} (§7.2 step 1), or updates the pin/token of a joined one.
     *
     * @param pin   the {@code @fp} pin, or null for trust on first use (§7.1)
     * @param token a join token (§7.3), or null
     * @throws IllegalStateException    if {@link #MAX_NETWORKS} are joined
     * @throws IllegalArgumentException if the pin contradicts the held pin, or the token is not 1..64 printable ASCII
     */
    public MemberNetwork join(NetworkId network, Fingerprint pin, String token) {
        Objects.requireNonNull(network, "network");
        if (token != null) NetworkConfigRequest.of(network, 0, 0, Optional.of(token), softwareVersion); // validates the token
        if (!Address.isValid(network.controllerAddress())) throw new IllegalArgumentException("network " + network + " has no valid controller address (nwid >> 24)");
        MemberNetwork n = networks.get(network);
        if (n == null) {
            if (networks.size() >= MAX_NETWORKS) throw new IllegalStateException("already joined " + MAX_NETWORKS + " networks (MAX_NETWORKS)");
            n = new MemberNetwork(network, pin);
            networks.put(network, n);
            store.write(network, NetworkStore.Kind.PIN, pinText(pin));
        } else if (pin != null && n.pin != null && !pin.equals(n.pin)) {
            throw new IllegalArgumentException("network " + network + " is pinned to controller " + n.pin.toShortString() + "; leave it first to pin another");
        } else if (pin != null && n.pin == null) {
            n.pin = pin;
            store.write(network, NetworkStore.Kind.PIN, pinText(pin));
        }
        if (token != null) n.token = token;
        n.nextRequestAt = node.now();
        n.backoff = BACKOFF_MIN;
        fire(n);
        return n;
    }

    /** Restores a network from the home at start (trusted files: structure checked, signatures not re-verified). */
    public MemberNetwork restore(NetworkId network, Fingerprint pin, byte[] config, byte[] credential, byte[] revocations) {
        MemberNetwork n = join(network, pin, null);
        if (config != null && NetworkConfig.parse(config) instanceof Decoded.Ok<Signed<NetworkConfig>> c && pin != null && c.value().issuer().equals(pin)) {
            n.config = c.value();
            n.ownMc = c.value().value().credential();
            n.status = MemberNetwork.Status.OK;
        }
        if (credential != null && MemberCredential.parse(credential) instanceof Decoded.Ok<Signed<MemberCredential>> m && pin != null
                && CredentialCheck.checkHolder(network, pin, node.fingerprint(), m.value()).valid() && CredentialCheck.isNewer(m.value(), n.ownMc)) {
            n.ownMc = m.value();
        }
        if (revocations != null && RevocationList.parse(revocations) instanceof Decoded.Ok<Signed<RevocationList>> l && pin != null
                && l.value().issuer().equals(pin) && l.value().value().networkId().equals(network)) {
            n.lastList = l.value();
            n.revocations = n.revocations.merge(l.value().value());
        }
        n.ownMcReceivedAt = node.now();
        if (n.ownMc != null) n.refreshAt = node.now(); // unknown age: refresh at once
        fire(n);
        return n;
    }

    /** Leaves {@code network}: its files go (§7.2); false if it was not joined. */
    public boolean leave(NetworkId network) {
        MemberNetwork n = networks.remove(network);
        if (n == null) return false;
        store.remove(network);
        n.status = MemberNetwork.Status.NOT_FOUND;
        fire(n);
        return true;
    }

    public Collection<MemberNetwork> networks() {
        return Collections.unmodifiableCollection(networks.values());
    }

    public Optional<MemberNetwork> network(NetworkId network) {
        return Optional.ofNullable(networks.get(network));
    }

    /** Refused input by reason, and outcomes. */
    public Map<String, Long> counters() {
        return Collections.unmodifiableMap(counters);
    }

    /** Sends due requests (§7.2 schedule, §7.6 refresh); returns the absolute next deadline. */
    public long service(long now) {
        long next = Long.MAX_VALUE;
        for (MemberNetwork n : List.copyOf(networks.values())) {
            if (!n.requesting && now >= refreshDue(n)) n.nextRequestAt = Math.min(n.nextRequestAt, now);
            if (!n.requesting && now >= n.nextRequestAt) request(n, now);
            if (!n.requesting) next = Math.min(next, Math.min(n.nextRequestAt, refreshDue(n)));
            if (now >= n.listSendDueAt) sendListToLaggingPeers(n);
            next = Math.min(next, n.listSendDueAt);
        }
        return next;
    }

    // ---------------------------------------------------------------- the request (§7.2 steps 2–4)

    private void request(MemberNetwork n, long now) {
        Fingerprint controller = controllerFor(n);
        if (controller == null || !node.hasSession(controller)) {
            node.send(n.controllerAddress, Nop.empty()); // steps 2–3: resolve (pin, cache, WHOIS) and open; the session's start asks again
            if (n.opening) retryLater(n, now); // the last open brought no session either: back off (2 s doubling to 60 s)
            else n.nextRequestAt = now + n.backoff; // a first open is no failure
            n.opening = true;
            return;
        }
        n.opening = false;
        long held = n.config == null ? 0 : n.config.value().revision();
        byte[] req = NetworkConfigRequest.of(n.id, held, n.revocations.revision(), Optional.ofNullable(n.token), softwareVersion).encode();
        NetworkId id = n.id;
        boolean sent = seqex.request(controller, SeqexLink.CHANNEL_CONTROL, req, false, new SeqexLink.ReplyHandler() {
            @Override
            public void onReply(byte[] message) {
                MemberNetwork m = networks.get(id);
                if (m != n) return; // left meanwhile
                n.requesting = false;
                onAnswer(n, controller, message);
            }

            @Override
            public void onFailure(String reason) {
                if (networks.get(id) != n) return;
                n.requesting = false;
                retryLater(n, node.now()); // no answer: back-off 2 s doubling to 60 s
            }
        });
        if (sent) {
            n.requesting = true;
            if (n.ownMc != null && n.refreshAt <= now) n.refreshAt = now + n.ownMc.value().maxDelta() / 4; // a fresh MC reschedules it
            bump("requestsSent");
        } else {
            retryLater(n, now);
        }
    }

    private void retryLater(MemberNetwork n, long now) {
        n.nextRequestAt = now + n.backoff;
        n.backoff = Math.min(BACKOFF_MAX, n.backoff * 2);
    }

    /** The controller to talk to: the pin, else the identity bound at {@code nwid >> 24} (§7.1; verified by WHOIS or the session, §2.6). */
    private Fingerprint controllerFor(MemberNetwork n) {
        return n.pin != null ? n.pin : node.cachedFingerprint(n.controllerAddress).orElse(null);
    }

    private static long refreshDue(MemberNetwork n) {
        return n.ownMc == null || n.status != MemberNetwork.Status.OK ? Long.MAX_VALUE : n.refreshAt;
    }

    /** §7.6: the next refresh, max-delta/4 ± 10 % after the own MC arrived. */
    private void scheduleRefresh(MemberNetwork n) {
        long quarter = n.ownMc.value().maxDelta() / 4;
        long jitter = Math.floorMod(rng.nextLong(), quarter / 5 + 1) - quarter / 10;
        n.refreshAt = n.ownMcReceivedAt + quarter + jitter;
    }

    /** The earliest time {@link #service} has work (no side effects). */
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (MemberNetwork n : networks.values()) {
            if (!n.requesting) next = Math.min(next, Math.min(n.nextRequestAt, refreshDue(n)));
            next = Math.min(next, n.listSendDueAt);
        }
        return next;
    }

    /** The REPLY to a NETWORK_CONFIG_REQUEST (§7.3). */
    private void onAnswer(MemberNetwork n, Fingerprint from, byte[] m) {
        int verb = m[0] & 0xff;
        switch (verb) {
            case Verb.NETWORK_CONFIG -> {
                ConfigCheck.Result r = acceptConfig(n, from, m);
                scheduleAfter(n, r);
            }
            case Verb.NETWORK_CREDENTIALS -> {
                credentialsFromController(n, from, m);
                n.backoff = BACKOFF_MIN;
                n.nextRequestAt = Long.MAX_VALUE; // the refresh schedules the next one
            }
            case Verb.ERROR -> onError(n, m);
            default -> {
                bump("refusedAnswer");
                retryLater(n, node.now());
            }
        }
    }

    private void scheduleAfter(MemberNetwork n, ConfigCheck.Result r) {
        long now = node.now();
        switch (r) {
            case ACCEPT, NOT_NEWER -> {
                n.backoff = BACKOFF_MIN;
                n.nextRequestAt = Long.MAX_VALUE;
                if (n.status != MemberNetwork.Status.OK && n.config != null) {
                    n.status = MemberNetwork.Status.OK;
                    n.token = null; // admitted: the join token has done its work and is not sent again
                    fire(n);
                }
            }
            case CLIENT_TOO_OLD -> n.nextRequestAt = now + RETRY_SLOW;
            default -> retryLater(n, now);
        }
    }

    private void onError(MemberNetwork n, byte[] m) {
        long now = node.now();
        if (!(Vl1Codec.decode(m) instanceof dev.planetary.vl1.Decoded.Message msg) || !(msg.message() instanceof ErrorMessage e)) {
            bump("refusedAnswer");
            retryLater(n, now);
            return;
        }
        MemberNetwork.Status before = n.status;
        int reason = n.deniedReason;
        switch (e.code()) {
            case ErrorMessage.OBJ_NOT_FOUND -> {
                n.status = MemberNetwork.Status.NOT_FOUND;
                n.nextRequestAt = now + RETRY_SLOW;
            }
            case ErrorMessage.NETWORK_ACCESS_DENIED -> {
                n.status = MemberNetwork.Status.ACCESS_DENIED;
                n.deniedReason = e.detail() instanceof ErrorMessage.Detail.AccessDenied d ? d.reason() : 0;
                n.nextRequestAt = now + (n.deniedReason == 1 ? RETRY_PENDING : RETRY_SLOW);
            }
            case ErrorMessage.BAD_PROTOCOL_VERSION -> {
                n.status = MemberNetwork.Status.CLIENT_TOO_OLD;
                n.nextRequestAt = now + RETRY_SLOW;
            }
            case ErrorMessage.RATE_LIMITED -> {
                n.nextRequestAt = now + Math.max(e.effectiveRetryAfterSeconds() * 1000L, n.backoff);
                n.backoff = Math.min(BACKOFF_MAX, n.backoff * 2);
            }
            default -> retryLater(n, now);
        }
        bump("error." + ErrorMessage.codeName(e.code()));
        if (n.status != before || n.deniedReason != reason) fire(n);
    }

    // ---------------------------------------------------------------- acceptance (§7.6)

    /**
     * §7.6 steps 1–6 for a NETWORK_CONFIG from the session peer {@code from}. Returns the step
     * outcome; {@code ACCEPT} applied it.
     */
    private ConfigCheck.Result acceptConfig(MemberNetwork n, Fingerprint from, byte[] message) {
        NetworkConfigMessage msg = NetworkConfigMessage.decode(message).orNull();
        Signed<NetworkConfig> c = msg == null ? null : msg.config().orNull();
        if (c == null) {
            bump("refusedConfig.MALFORMED");
            return ConfigCheck.Result.WRONG_NETWORK;
        }
        if (!msg.networkId().equals(n.id)) {
            bump("refusedConfig.WRONG_NETWORK");
            return ConfigCheck.Result.WRONG_NETWORK;
        }
        Fingerprint expected = n.pin != null ? n.pin : tofuCandidate(n, from);
        ConfigCheck.Result r = expected == null ? ConfigCheck.Result.WRONG_ISSUER : ConfigCheck.check(c, n.id, expected, node.fingerprint(), n.config);
        if (r == ConfigCheck.Result.CLIENT_TOO_OLD) {
            bump("refusedConfig.CLIENT_TOO_OLD");
            if (n.status != MemberNetwork.Status.CLIENT_TOO_OLD) {
                n.status = MemberNetwork.Status.CLIENT_TOO_OLD; // the old config stays in force
                fire(n);
            }
            return r;
        }
        if (!r.accepted()) {
            bump("refusedConfig." + r);
            return r;
        }
        Identity issuer = node.identity(expected).orElse(null);
        if (issuer == null || !NetworkConfig.verify(verifier, c.encoded(), issuer).isOk()
                || !MemberCredential.verify(verifier, c.value().credential().encoded(), issuer).isOk()) { // step 5, last
            bump("refusedConfig.BAD_SIGNATURE");
            return ConfigCheck.Result.WRONG_ISSUER;
        }
        // step 6: apply atomically
        if (n.pin == null) {
            n.pin = expected; // TOFU (§7.1)
            store.write(n.id, NetworkStore.Kind.PIN, pinText(expected));
        }
        n.config = c;
        store.write(n.id, NetworkStore.Kind.CONFIG, c.encoded());
        Signed<MemberCredential> mc = c.value().credential();
        if (CredentialCheck.isNewer(mc, n.ownMc) || n.ownMc == null || !n.ownMc.equals(mc) && mc.timestamp() >= n.ownMc.timestamp()) setOwnCredential(n, mc);
        n.status = MemberNetwork.Status.OK;
        n.deniedReason = -1;
        bump("configsAccepted");
        if (Long.compareUnsigned(c.value().revocations().revision(), n.revocations.revision()) > 0) queryRevocations(n, expected);
        fire(n);
        return r;
    }

    /** Before the pin: the authenticated session peer whose bound address is {@code nwid >> 24} (§7.1, §7.6 step 1). */
    private Fingerprint tofuCandidate(MemberNetwork n, Fingerprint from) {
        return node.boundAddress(from).filter(n.controllerAddress::equals).isPresent() ? from : null;
    }

    private void setOwnCredential(MemberNetwork n, Signed<MemberCredential> mc) {
        n.ownMc = mc;
        n.ownMcReceivedAt = node.now();
        scheduleRefresh(n);
        store.write(n.id, NetworkStore.Kind.CREDENTIAL, mc.encoded());
        n.revocations = n.revocations.prune(mc.timestamp(), mc.value().maxDelta());
        representAfterChange(n);
    }

    /** NETWORK_CREDENTIALS from the pinned controller (a REPLY or a push): a fresh own MC and/or a revocation list. */
    private boolean credentialsFromController(MemberNetwork n, Fingerprint from, byte[] message) {
        NetworkCredentials msg = NetworkCredentials.decode(message).orNull();
        if (msg == null || !msg.networkId().equals(n.id) || n.pin == null || !n.pin.equals(from)) {
            bump("refusedCredentials.NOT_FROM_CONTROLLER");
            return false;
        }
        Identity issuer = node.identity(n.pin).orElse(null);
        boolean ok = issuer != null;
        for (CredentialItem.Credential item : msg.items(CredentialItem.Credential.class)) {
            Signed<MemberCredential> mc = ok ? MemberCredential.verify(verifier, item.value(), issuer).orNull() : null;
            if (mc == null || !CredentialCheck.checkHolder(n.id, n.pin, node.fingerprint(), mc).valid()) {
                bump("refusedCredentials.BAD_CREDENTIAL");
                ok = false;
            } else if (CredentialCheck.isNewer(mc, n.ownMc)) {
                setOwnCredential(n, mc);
                bump("credentialsRefreshed");
                fire(n);
            }
        }
        for (CredentialItem.RevocationListItem item : msg.items(CredentialItem.RevocationListItem.class)) ok &= acceptList(n, item.value(), issuer, null);
        return ok;
    }

    /**
     * §8.4 acceptance: issuer = the pin, network id, revision higher, signature valid; then merged,
     * and passed on to the peers known to hold an older one (§8.3). {@code from} is the member peer
     * that sent it, null for the controller.
     */
    private boolean acceptList(MemberNetwork n, byte[] pso, Identity issuer, Fingerprint from) {
        Signed<RevocationList> l = RevocationList.parse(pso).orNull(); // bounded: ≤ MAX_REVOCATIONS entries, else refused
        if (l == null) {
            bump("refusedRevocations.MALFORMED");
            return false;
        }
        if (n.pin == null || issuer == null || !l.issuer().equals(n.pin) || !l.value().networkId().equals(n.id)) {
            bump("refusedRevocations.WRONG_ISSUER_OR_NETWORK");
            return false;
        }
        if (!n.revocations.isNewer(l.value())) { // not newer: ignored, not an error
            bump("revocationListsNotNewer");
            return true;
        }
        if (!RevocationList.verify(verifier, pso, issuer).isOk()) {
            bump("refusedRevocations.BAD_SIGNATURE");
            return false;
        }
        n.lastList = l;
        n.revocations = n.revocations.merge(l.value());
        if (n.ownMc != null) n.revocations = n.revocations.prune(n.ownMc.timestamp(), n.ownMc.value().maxDelta());
        store.write(n.id, NetworkStore.Kind.REVOCATIONS, pso);
        bump(from == null ? "revocationListsAccepted" : "revocationListsAcceptedFromPeers");
        if (from != null) n.peerHeldRevision.put(from, l.value().revision());
        sendListToLaggingPeers(n);
        if (n.ownMc != null && n.revocations.isRevoked(node.fingerprint(), n.ownMc.timestamp()) && !n.requesting) {
            n.nextRequestAt = node.now(); // our own credential is revoked: ask the controller where we stand (§8.4 effect)
        }
        fire(n);
        return true;
    }

    private void queryRevocations(MemberNetwork n, Fingerprint controller) {
        byte[] q = NetworkCredentials.of(n.id, new CredentialItem.QueryRevocationList()).encode();
        seqex.request(controller, SeqexLink.CHANNEL_CONTROL, q, false, new SeqexLink.ReplyHandler() {
            @Override
            public void onReply(byte[] message) {
                if (networks.get(n.id) == n && (message[0] & 0xff) == Verb.NETWORK_CREDENTIALS) credentialsFromController(n, controller, message);
            }

            @Override
            public void onFailure(String reason) {} // the next config or refresh asks again
        });
    }

    // ---------------------------------------------------------------- channel 0 (§6.3) and pushes (§7.5)

    @Override
    public boolean accepts(Fingerprint peer) {
        for (MemberNetwork n : networks.values()) if (peer.equals(n.pin) || n.pin == null && tofuCandidate(n, peer) != null) return true;
        return false;
    }

    @Override
    public void onMessage(SeqexLink.Incoming in) {
        byte[] m = in.message();
        int verb = m[0] & 0xff;
        MemberNetwork n = m.length >= 9 ? networks.get(new NetworkId(java.nio.ByteBuffer.wrap(m, 1, 8).getLong())) : null;
        boolean fromController = n != null && (in.peer().equals(n.pin) || n.pin == null && tofuCandidate(n, in.peer()) != null);
        if (!fromController || verb == Verb.NETWORK_CONFIG_REQUEST) { // a member serves no requests; pushes only from the network's controller
            bump("refusedPush.NOT_FROM_CONTROLLER");
            if (in.expectsReply()) in.reply(error(verb, verb == Verb.NETWORK_CONFIG_REQUEST ? ErrorMessage.UNSUPPORTED_OPERATION : ErrorMessage.INVALID_REQUEST), false);
            return;
        }
        boolean ok;
        int code = ErrorMessage.INVALID_REQUEST;
        if (verb == Verb.NETWORK_CONFIG) {
            ConfigCheck.Result r = acceptConfig(n, in.peer(), m);
            ok = r.accepted() || r == ConfigCheck.Result.NOT_NEWER;
            if (ok || r == ConfigCheck.Result.CLIENT_TOO_OLD) scheduleAfter(n, r); // a refused push changes no schedule
            if (r == ConfigCheck.Result.CLIENT_TOO_OLD) code = ErrorMessage.UNSUPPORTED_OPERATION;
        } else {
            ok = credentialsFromController(n, in.peer(), m);
        }
        if (in.expectsReply()) in.reply(ok ? new Ok.Other(verb, 0, Bytes.EMPTY).encode() : error(verb, code), false); // §6.1
    }

    private static byte[] error(int verb, int code) {
        return new ErrorMessage(verb, 0, code, ErrorMessage.Detail.NONE).encode();
    }

    /** §6.4: the session with a joined network's controller is always kept: lost, it is reopened at once and the config asked again. */
    @Override
    public void sessionDown(Fingerprint peer, String reason) {
        long now = node.now();
        for (MemberNetwork n : networks.values()) {
            if (!n.requesting && peer.equals(controllerFor(n))) n.nextRequestAt = Math.min(n.nextRequestAt, now);
        }
    }

    @Override
    public void sessionUp(Fingerprint peer, Address address) {
        Address a = address != null ? address : node.boundAddress(peer).orElse(null);
        for (MemberNetwork n : networks.values()) {
            if (n.requesting || a == null || !a.equals(n.controllerAddress) || n.pin != null && !n.pin.equals(peer)) continue;
            n.nextRequestAt = node.now(); // §7.6: ask when the controller session is (re)established
        }
    }

    // ---------------------------------------------------------------- between members (§8.3)

    /** The own MC and held revision for {@code network}, to present to a peer before VL2 traffic (§8.3); empty without an MC. */
    public Optional<byte[]> presentation(NetworkId network) {
        MemberNetwork n = networks.get(network);
        if (n == null || n.ownMc == null) return Optional.empty();
        return Optional.of(NetworkCredentials.of(network, CredentialItem.Credential.of(n.ownMc), new CredentialItem.HeldRevision(n.revocations.revision())).encode());
    }

    /** Presents the own MC for {@code network} to {@code peer} (plain NETWORK_CREDENTIALS, §8.3). */
    public boolean present(Fingerprint peer, NetworkId network) {
        Optional<byte[]> p = presentation(network);
        if (p.isEmpty() || !node.hasSession(peer) || !node.sendUpper(peer, p.get())) return false;
        networks.get(network).lastPresented.put(peer, node.now());
        return true;
    }

    /** §8.3: a new own MC (revision or only timestamp) goes to every peer it was presented to in the last 300 s. */
    private void representAfterChange(MemberNetwork n) {
        long now = node.now();
        for (Map.Entry<Fingerprint, Long> e : List.copyOf(n.lastPresented.entrySet())) {
            if (now - e.getValue() <= REPRESENT_WINDOW && node.hasSession(e.getKey())) present(e.getKey(), n.id);
        }
    }

    /**
     * The gate refused VL2 traffic for {@code network} from {@code peer}: answers ERROR
     * NEED_MEMBERSHIP_CERTIFICATE (in re {@code verb}) at most once per second per peer (§8.3).
     */
    public void refuse(Fingerprint peer, NetworkId network, int verb) {
        MemberNetwork n = networks.get(network);
        bump("gateRefused");
        if (n == null || !node.hasSession(peer)) return;
        Long last = n.lastNeedSent.get(peer);
        long now = node.now();
        if (last != null && now - last < NEED_INTERVAL) return;
        n.lastNeedSent.put(peer, now);
        node.sendUpper(peer, new ErrorMessage(verb, 0, ErrorMessage.NEED_MEMBERSHIP_CERTIFICATE, new ErrorMessage.Detail.NetworkId(network.value())).encode());
    }

    /**
     * A peer answered ERROR NEED_MEMBERSHIP_CERTIFICATE for {@code network} (the data plane routes it
     * here): present the own MC again (≤ 1/s per peer); a second one within 10 s right after
     * presenting means the own MC is stale, so refresh (§8.2).
     */
    public void needCertificate(Fingerprint peer, NetworkId network) {
        MemberNetwork n = networks.get(network);
        if (n == null) return;
        long now = node.now();
        Long last = n.lastPresented.get(peer);
        if (last != null && now - last < NEED_INTERVAL) return;
        if (last != null && now - last < NEED_REFRESH_WINDOW && !n.requesting) n.nextRequestAt = Math.min(n.nextRequestAt, now);
        if (present(peer, network)) bump("presentedOnNeed");
    }

    /**
     * Whether {@code peer} is trusted in the sense of §5.7 (PUSH_DIRECT_PATHS, rendezvous consent):
     * the controller of a joined network, or a member holding a valid credential for a network both
     * belong to.
     */
    public boolean trusts(Fingerprint peer) {
        for (MemberNetwork n : networks.values()) {
            if (peer.equals(n.pin) || n.status() == MemberNetwork.Status.OK && n.allowed(peer)) return true;
        }
        return false;
    }

    /**
     * Whether {@code address} lies in the subnet of an address a joined network assigned to this node
     * (its own MC's, prefix included): never a physical path (§5.7 blacklist). A path there runs
     * through this node's own TAP, so the overlay would carry itself: a member re-authorised after a
     * deauthorisation pushed its new TAP address as a LAN endpoint, the peer confirmed the path
     * through the tunnel, preferred it, and the pair's traffic stopped.
     */
    public boolean overlayCovers(java.net.InetAddress address) {
        for (MemberNetwork n : networks.values()) {
            if (n.ownMc == null) continue;
            for (dev.planetary.vl2.AssignedAddress a : n.ownMc.value().addresses()) if (a.ip().contains(address)) return true;
        }
        return false;
    }

    /** A plain NETWORK_CREDENTIALS from a peer (a presentation, §8.3), or an OK/ERROR in re one. */
    private void onPeerCredentials(Fingerprint peer, Address address, byte[] m) {
        if ((m[0] & 0xff) != Verb.NETWORK_CREDENTIALS) return; // OK/ERROR in re a presentation: nothing to do
        NetworkCredentials msg = NetworkCredentials.decode(m).orNull();
        MemberNetwork n = msg == null ? null : networks.get(msg.networkId());
        if (n == null || n.pin == null) {
            bump("refusedPresentation.UNKNOWN_NETWORK");
            return;
        }
        Identity controller = node.identity(n.pin).orElse(null);
        if (peer.equals(n.pin)) {
            credentialsFromController(n, peer, m);
            return;
        }
        for (CredentialItem.Credential item : msg.items(CredentialItem.Credential.class)) {
            Signed<MemberCredential> mc = item.parse().orNull();
            if (mc == null) {
                bump("refusedPresentation.MALFORMED");
                continue;
            }
            Fingerprint holder = peer; // §8.3: another member's MC only from a replicator (its origins' MCs, §10.7)
            if (!mc.value().issuedTo().equals(peer) && n.replicator(peer)) holder = mc.value().issuedTo();
            CredentialCheck.Result r = n.ownMc == null ? CredentialCheck.checkHolder(n.id, n.pin, holder, mc)
                    : CredentialCheck.check(n.id, n.pin, holder, mc, n.ownMc, n.revocations);
            if (r == CredentialCheck.Result.WINDOW_PEER_NEWER) n.nextRequestAt = Math.min(n.nextRequestAt, node.now()); // our own MC is stale (§8.2)
            if (!r.valid() && r != CredentialCheck.Result.WINDOW_PEER_NEWER) {
                bump("refusedPresentation." + r);
                continue;
            }
            if (!CredentialCheck.isNewer(mc, n.peerCredentials.get(holder))) continue; // step 5: not newer, ignored
            if (controller == null || !MemberCredential.verify(verifier, item.value(), controller).isOk()) { // step 6, last
                bump("refusedPresentation.BAD_SIGNATURE");
                continue;
            }
            if (!(holder.equals(peer) ? node.bindVouched(peer, mc.value().issuedToAddress()) : unpinned(holder, mc.value().issuedToAddress()))) { // §8.2 step 2
                bump("refusedPresentation.ADDRESS_CONFLICT");
                continue;
            }
            n.peerCredentials.put(holder, mc);
            if (!holder.equals(peer)) { // an origin's MC: its replicated frames see its tags (§10.7); no session with it to tell
                bump("originCredentialsAccepted");
                continue;
            }
            bump("presentationsAccepted");
            node.trustChanged(peer); // §5.7: a member of a shared network is trusted: paths and rendezvous now
            for (var l : List.copyOf(peerListeners)) l.accept(n, peer); // §10.2: the full LIKE set to it
        }
        revocationsFromPeer(n, peer, msg, controller);
    }

    /**
     * §8.2 step 2 for an origin's MC (§10.7): no session, so nothing to bind, but refused if this node
     * pins {@code origin} to another address or {@code address} to another fingerprint.
     */
    private boolean unpinned(Fingerprint origin, Address address) {
        return node.boundAddress(origin).map(address::equals).orElse(true) && node.cachedFingerprint(address).map(origin::equals).orElse(true);
    }

    // ---------------------------------------------------------------- revocation lists between members (§8.3, §8.4)

    /**
     * The revocation-list items of a member peer's NETWORK_CREDENTIALS: a list (the first of the
     * message, at most one per peer per second) is accepted as from the controller (§8.4: it is
     * controller-signed); a held revision (item 0x04) below ours gets our list, above ours makes us ask
     * for it. Only from a peer that passes the gate (its MC may come in the same message).
     */
    private void revocationsFromPeer(MemberNetwork n, Fingerprint peer, NetworkCredentials msg, Identity controller) {
        List<CredentialItem.RevocationListItem> lists = msg.items(CredentialItem.RevocationListItem.class);
        List<CredentialItem.HeldRevision> held = msg.items(CredentialItem.HeldRevision.class);
        if (lists.isEmpty() && held.isEmpty()) return;
        if (!n.allowed(peer)) {
            bump("refusedRevocations.NOT_A_MEMBER");
            return;
        }
        if (!lists.isEmpty()) {
            if (!due(n.lastListFromPeer, peer, node.now(), LIST_FROM_PEER_INTERVAL)) {
                bump("refusedRevocations.RATE_LIMITED");
            } else {
                acceptList(n, lists.getFirst().value(), controller, peer);
                if (lists.size() > 1) bump("refusedRevocations.RATE_LIMITED");
            }
        }
        for (CredentialItem.HeldRevision h : held) heardRevision(n, peer, h.revision());
    }

    /** A peer says it holds list revision {@code revision}: an older one gets ours, a newer one is asked for. */
    private void heardRevision(MemberNetwork n, Fingerprint peer, long revision) {
        n.peerHeldRevision.put(peer, revision);
        int c = Long.compareUnsigned(revision, n.revocations.revision());
        if (c < 0) offerList(n, peer);
        else if (c > 0) askForList(n, peer);
    }

    /** Sends the held list to every peer known to hold an older one (each at most once per 60 s; later ones when due). */
    private void sendListToLaggingPeers(MemberNetwork n) {
        n.listSendDueAt = Long.MAX_VALUE;
        for (Map.Entry<Fingerprint, Long> e : List.copyOf(n.peerHeldRevision.entrySet())) {
            if (Long.compareUnsigned(e.getValue(), n.revocations.revision()) < 0) offerList(n, e.getKey());
        }
    }

    /** §8.3: the held list to {@code peer} (plain NETWORK_CREDENTIALS, ≤ 1 per peer per 60 s), if a session is up and we hold an MC. */
    private void offerList(MemberNetwork n, Fingerprint peer) {
        if (n.lastList == null || !node.hasSession(peer)) return; // told again when it next presents
        long now = node.now();
        Long last = n.lastListSent.get(peer);
        if (last != null && now - last < LIST_SEND_INTERVAL) {
            n.listSendDueAt = Math.min(n.listSendDueAt, last + LIST_SEND_INTERVAL);
            return;
        }
        if (n.ownMc == null) return;
        // with the own MC (the peer may not hold it yet: it takes lists only from members) and the held revision
        byte[] m = NetworkCredentials.of(n.id, CredentialItem.Credential.of(n.ownMc), CredentialItem.RevocationListItem.of(n.lastList),
                new CredentialItem.HeldRevision(n.revocations.revision())).encode();
        if (!node.sendUpper(peer, m)) return;
        n.lastListSent.put(peer, now);
        n.peerHeldRevision.put(peer, n.revocations.revision()); // assumed taken: the peer's next presentation says otherwise
        bump("revocationListsSent");
    }

    /**
     * §8.4 propagation: {@code peer} holds a newer list. Asks the controller when its session is up,
     * and (≤ 1 per peer per 60 s) tells the peer our revision, which it answers with its list (§8.3) —
     * how a member cut off from the controller learns revocations.
     */
    private void askForList(MemberNetwork n, Fingerprint peer) {
        long now = node.now();
        if (!due(n.lastListAsked, peer, now, LIST_SEND_INTERVAL)) return;
        if (n.pin != null && node.hasSession(n.pin) && due(n.lastListAsked, n.pin, now, LIST_FROM_PEER_INTERVAL)) queryRevocations(n, n.pin);
        if (node.sendUpper(peer, NetworkCredentials.of(n.id, new CredentialItem.HeldRevision(n.revocations.revision())).encode())) bump("revocationListsAsked");
    }

    // ---------------------------------------------------------------- helpers

    /** Whether {@code interval} has passed since {@code key}'s last time in {@code times}; if so, now is its last time. */
    private static boolean due(Map<Fingerprint, Long> times, Fingerprint key, long now, long interval) {
        Long last = times.get(key);
        if (last != null && now - last < interval) return false;
        times.put(key, now);
        return true;
    }

    private static byte[] pinText(Fingerprint pin) {
        return pin == null ? new byte[0] : pin.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private void fire(MemberNetwork n) {
        for (Consumer<MemberNetwork> l : List.copyOf(listeners)) l.accept(n);
    }

    private void bump(String counter) {
        counters.merge(counter, 1L, Long::sum);
    }
}
