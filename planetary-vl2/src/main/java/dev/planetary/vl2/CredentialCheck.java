package dev.planetary.vl2;

import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.NetworkId;

/**
 * §8.2 steps 1–4, pure: is the Member Credential presented by (or on behalf of) peer S valid at node R
 * for network N? Steps 5 (newest wins) and 6 (signature, last) and the address pinning of step 2 are
 * the caller's (they need R's stores). Steps 3–4 are re-run whenever R's own MC or the revocation
 * state changes.
 */
public final class CredentialCheck {
    private CredentialCheck() {}

    /** The outcome, naming the failed step. */
    public enum Result {
        VALID,
        /** Step 1: not issued by N's pinned controller. */
        WRONG_ISSUER,
        /** Step 1: for another network. */
        WRONG_NETWORK,
        /** Step 2: issued to another fingerprint than S's. */
        WRONG_HOLDER,
        /** Step 3: S's MC is newer than R's by more than the window: R's own credential is stale, R refreshes (§7.6). */
        WINDOW_PEER_NEWER,
        /** Step 3: S's MC is older than R's by more than the window: R answers NEED_MEMBERSHIP_CERTIFICATE. */
        WINDOW_PEER_OLDER,
        /** Step 4: below the floor or below the threshold of S's prefix. */
        REVOKED;

        public boolean valid() {
            return this == VALID;
        }
    }

    /**
     * @param network       N
     * @param controller    N's pinned controller fingerprint
     * @param peer          S's fingerprint (the ZSSP-authenticated peer, or a replicated frame's origin)
     * @param peerMc        the credential S presented
     * @param ownMc         R's own current credential for N
     * @param revocations   R's revocation state for N
     */
    public static Result check(NetworkId network, Fingerprint controller, Fingerprint peer, Signed<MemberCredential> peerMc,
                               Signed<MemberCredential> ownMc, RevocationState revocations) {
        Result r = checkHolder(network, controller, peer, peerMc);
        if (r != Result.VALID) return r;
        r = window(peerMc, ownMc);
        if (r != Result.VALID) return r;
        return revocations.isRevoked(peer, peerMc.timestamp()) ? Result.REVOKED : Result.VALID;
    }

    /** Steps 1–2 only (what a node checks of its own embedded MC, §7.6 step 3). */
    public static Result checkHolder(NetworkId network, Fingerprint controller, Fingerprint holder, Signed<MemberCredential> mc) {
        if (!mc.issuer().equals(controller)) return Result.WRONG_ISSUER;
        if (!mc.value().networkId().equals(network)) return Result.WRONG_NETWORK;
        if (!mc.value().issuedTo().equals(holder)) return Result.WRONG_HOLDER;
        return Result.VALID;
    }

    /** Step 3: {@code |ts(MC_S) − ts(MC_R)| ≤ min(maxDelta(MC_S), maxDelta(MC_R))}, controller times only. */
    public static Result window(Signed<MemberCredential> peerMc, Signed<MemberCredential> ownMc) {
        long s = peerMc.timestamp(), r = ownMc.timestamp();
        long window = Math.min(peerMc.value().maxDelta(), ownMc.value().maxDelta());
        boolean peerNewer = Long.compareUnsigned(s, r) > 0;
        long diff = peerNewer ? s - r : r - s; // u64 difference, no overflow
        if (Long.compareUnsigned(diff, window) <= 0) return Result.VALID;
        return peerNewer ? Result.WINDOW_PEER_NEWER : Result.WINDOW_PEER_OLDER;
    }

    /** Step 5: whether {@code candidate} replaces {@code held} (larger (revision, timestamp)); null {@code held} means none. */
    public static boolean isNewer(Signed<MemberCredential> candidate, Signed<MemberCredential> held) {
        if (held == null) return true;
        int c = Long.compare(candidate.value().revision(), held.value().revision());
        return c > 0 || (c == 0 && Long.compareUnsigned(candidate.timestamp(), held.timestamp()) > 0);
    }
}
