package dev.planetary.transport;

import dev.planetary.zssp.StaticPublicKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An endpoint's security policy: the four flags of spec §1.3 (π1 globally, π2–π4 with per-peer
 * overrides) and the {@link AcceptPolicy} for incoming sessions. Immutable; build one with
 * {@link #builder()}, or start from {@link #opportunistic()} / {@link #persistent()}.
 *
 * <ul>
 *   <li><b>Opportunistic</b> (all false, the default): peers that lost their ratchet storage can
 *       still connect with the empty ratchet; the endpoint reports a downgrade.</li>
 *   <li><b>Persistent</b> (all true): strongest post-compromise properties; needs durable storage
 *       on both sides, or peers get locked out after losing it.</li>
 * </ul>
 */
public final class SecurityPolicy {
    private final boolean requireRecognizedRatchet;
    private final PeerFlags defaults;
    private final Map<StaticPublicKey, PeerFlags> perPeer;
    private final AcceptPolicy accept;

    private SecurityPolicy(Builder b) {
        this.requireRecognizedRatchet = b.requireRecognizedRatchet;
        this.defaults = b.defaults;
        this.perPeer = Map.copyOf(b.perPeer);
        this.accept = b.accept;
    }

    /** All four flags false, every authenticated peer accepted. */
    public static SecurityPolicy opportunistic() {
        return builder().build();
    }

    /** All four flags true, every authenticated peer accepted (combine with an allow-list). */
    public static SecurityPolicy persistent() {
        return builder().requireRecognizedRatchet(true).defaults(PeerFlags.PERSISTENT).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this policy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.requireRecognizedRatchet = requireRecognizedRatchet;
        b.defaults = defaults;
        b.perPeer.putAll(perPeer);
        b.accept = accept;
        return b;
    }

    /** π1: drop Hellos whose ratchet fingerprints match nothing stored. */
    public boolean requireRecognizedRatchet() {
        return requireRecognizedRatchet;
    }

    /** The flags for {@code peer} (its override, else the defaults); {@code peer} may be null. */
    public PeerFlags flags(StaticPublicKey peer) {
        if (peer == null) return defaults;
        return perPeer.getOrDefault(peer, defaults);
    }

    public PeerFlags defaults() {
        return defaults;
    }

    public AcceptPolicy acceptPolicy() {
        return accept;
    }

    @Override
    public String toString() {
        return "SecurityPolicy[π1=" + requireRecognizedRatchet + ", defaults=" + defaults + ", " + perPeer.size() + " per-peer overrides]";
    }

    /** Builds a {@link SecurityPolicy}. */
    public static final class Builder {
        private boolean requireRecognizedRatchet;
        private PeerFlags defaults = PeerFlags.OPPORTUNISTIC;
        private final Map<StaticPublicKey, PeerFlags> perPeer = new HashMap<>();
        private AcceptPolicy accept = AcceptPolicy.acceptAll();

        private Builder() {}

        /** π1 (responder, global: the peer is not yet known when a Hello arrives). */
        public Builder requireRecognizedRatchet(boolean on) {
            this.requireRecognizedRatchet = on;
            return this;
        }

        /** π2 and π3 for every peer without an override. */
        public Builder disallowDowngrade(boolean on) {
            defaults = new PeerFlags(on, on, defaults.silentlyReject());
            return this;
        }

        /** π4 for every peer without an override (and for refusals, where no override applies). */
        public Builder silentlyReject(boolean on) {
            defaults = new PeerFlags(defaults.initiatorDisallowsDowngrade(), defaults.responderDisallowsDowngrade(), on);
            return this;
        }

        /** π2–π4 for every peer without an override. */
        public Builder defaults(PeerFlags flags) {
            this.defaults = Objects.requireNonNull(flags, "flags");
            return this;
        }

        /** π2–π4 for one peer. */
        public Builder peer(StaticPublicKey peer, PeerFlags flags) {
            perPeer.put(Objects.requireNonNull(peer, "peer"), Objects.requireNonNull(flags, "flags"));
            return this;
        }

        /** Replaces the accept policy (default: accept every authenticated peer). */
        public Builder accept(AcceptPolicy policy) {
            this.accept = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Adds a condition to the accept policy: both must accept. */
        public Builder alsoRequire(AcceptPolicy policy) {
            this.accept = accept.and(Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /** Accept only these peers (in addition to the current accept policy's conditions). */
        public Builder allow(java.util.Collection<StaticPublicKey> peers) {
            return alsoRequire(AcceptPolicy.allowList(peers));
        }

        public SecurityPolicy build() {
            return new SecurityPolicy(this);
        }
    }
}
