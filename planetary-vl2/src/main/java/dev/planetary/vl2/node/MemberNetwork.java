package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.CredentialCheck;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.RevocationState;
import dev.planetary.vl2.Signed;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One joined network at a member (VL.md §7.2): its state, the pinned controller, the accepted
 * config, the own Member Credential, the revocation state and the credentials peers presented. What
 * the data plane reads: {@link #config()}, {@link #ownCredential()}, {@link #allowed(Fingerprint)}.
 * Owned by {@link MemberNetworks} and read on the node's thread.
 */
public final class MemberNetwork {
    /** §7.2 state names, as in ZeroTier One's API. */
    public enum Status { REQUESTING_CONFIGURATION, OK, ACCESS_DENIED, NOT_FOUND, CLIENT_TOO_OLD, PORT_ERROR }

    /** Peers' credentials kept per network (least recently presented evicted). */
    static final int MAX_PEER_CREDENTIALS = 4096;

    final NetworkId id;
    final Address controllerAddress;
    Fingerprint pin; // null until TOFU pins the first accepted config's issuer (§7.1)
    String token; // the join token (a secret: never logged, never persisted)
    Status status = Status.REQUESTING_CONFIGURATION;
    int deniedReason = -1;
    boolean portError;
    Signed<NetworkConfig> config;
    Signed<MemberCredential> ownMc;
    long ownMcReceivedAt; // local clock
    long refreshAt = Long.MAX_VALUE; // local clock (§7.6)
    Signed<RevocationList> lastList;
    RevocationState revocations;
    // the request schedule (§7.2)
    long nextRequestAt;
    long backoff = MemberNetworks.BACKOFF_MIN;
    boolean requesting;
    /** The last request found no controller session and opened one; a second such miss backs off (§7.2). */
    boolean opening;
    final Map<Fingerprint, Signed<MemberCredential>> peerCredentials = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Fingerprint, Signed<MemberCredential>> e) {
            return size() > MAX_PEER_CREDENTIALS;
        }
    };
    final Map<Fingerprint, Long> lastNeedSent = boundedTimes();
    final Map<Fingerprint, Long> lastPresented = boundedTimes();
    // §8.3 revocation-list exchange between members (the rumor mill)
    /** The list revision each peer last said it holds (item 0x04), or was last sent. */
    final Map<Fingerprint, Long> peerHeldRevision = boundedTimes();
    /** When each peer was last sent the held list (≤ 1 per peer per 60 s). */
    final Map<Fingerprint, Long> lastListSent = boundedTimes();
    /** When each peer with a newer list was last asked for it (the own revision presented again). */
    final Map<Fingerprint, Long> lastListAsked = boundedTimes();
    /** When a list from each peer was last looked at (the verification budget). */
    final Map<Fingerprint, Long> lastListFromPeer = boundedTimes();
    /** A peer holding an older list is due its copy at this local time (a rate-limited send). */
    long listSendDueAt = Long.MAX_VALUE;

    private static Map<Fingerprint, Long> boundedTimes() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Fingerprint, Long> e) {
                return size() > MAX_PEER_CREDENTIALS;
            }
        };
    }

    MemberNetwork(NetworkId id, Fingerprint pin) {
        this.id = id;
        this.controllerAddress = new Address(id.controllerAddress());
        this.pin = pin;
        this.revocations = RevocationState.empty(id);
    }

    public NetworkId id() {
        return id;
    }

    public Status status() {
        return portError && status == Status.OK ? Status.PORT_ERROR : status;
    }

    /** NETWORK_ACCESS_DENIED reason (0 denied, 1 pending approval, 2 revoked), -1 if not denied. */
    public int deniedReason() {
        return status == Status.ACCESS_DENIED ? deniedReason : -1;
    }

    /** The controller's address ({@code nwid >> 24}, §7.1). */
    public Address controllerAddress() {
        return controllerAddress;
    }

    /** The pinned controller, if pinned. */
    public Optional<Fingerprint> controller() {
        return Optional.ofNullable(pin);
    }

    /** The accepted config (stays in force while CLIENT_TOO_OLD, §7.2). */
    public Optional<Signed<NetworkConfig>> config() {
        return Optional.ofNullable(config);
    }

    /** The own current Member Credential (newer than the config's copy after a refresh, §7.6). */
    public Optional<Signed<MemberCredential>> ownCredential() {
        return Optional.ofNullable(ownMc);
    }

    public RevocationState revocations() {
        return revocations;
    }

    /** This node's MAC on the network (§9.1). */
    public MacAddress mac(Address self) {
        return MacAddress.derive(id, self.value());
    }

    /** The data plane reports the TAP state (PORT_ERROR, §7.2). */
    public void portError(boolean failed) {
        portError = failed;
    }

    /**
     * The gate (§8.3): whether VL2 traffic for this network from {@code peer} passes — the pinned
     * controller, or the holder of a valid credential (§8.2 steps 1–4 against the own current MC and
     * the revocation state; the signature was checked when it was stored).
     */
    public boolean allowed(Fingerprint peer) {
        if (peer.equals(pin)) return true;
        Signed<MemberCredential> mc = peerCredentials.get(peer);
        return mc != null && ownMc != null && pin != null && CredentialCheck.check(id, pin, peer, mc, ownMc, revocations).valid();
    }

    /** The credential {@code peer} presented last, if any. */
    public Optional<Signed<MemberCredential>> peerCredential(Fingerprint peer) {
        return Optional.ofNullable(peerCredentials.get(peer));
    }

    /** §10.7: whether the config lists {@code fp} as a multicast replicator (specialist bit1). */
    public boolean listsReplicator(Fingerprint fp) {
        return config != null && config.value().specialists().stream().anyMatch(s -> s.isReplicator() && s.fingerprint().equals(fp));
    }

    /** §10.7: whether {@code peer} is a replicator here: listed by the config, and its valid MC has bit1. */
    public boolean replicator(Fingerprint peer) {
        return listsReplicator(peer) && allowed(peer) && peerCredential(peer).map(mc -> mc.value().isReplicator()).orElse(false);
    }

    /** §10.7: whether this node is a replicator here: its own MC has bit1 and the config lists it. */
    public boolean replicating() {
        return ownMc != null && ownMc.value().isReplicator() && listsReplicator(ownMc.value().issuedTo());
    }

    /** The credential held for the member at {@code address} (a session peer's, or an origin's from a replicator, §10.7). */
    public Optional<Signed<MemberCredential>> credentialOf(Address address) {
        for (Signed<MemberCredential> mc : peerCredentials.values()) if (mc.value().issuedToAddress().equals(address)) return Optional.of(mc);
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "MemberNetwork[" + id + ", " + status() + (config != null ? ", revision " + Long.toHexString(config.value().revision()) : "") + "]";
    }
}
