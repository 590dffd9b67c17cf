package dev.planetary.zssp;

import dev.planetary.zssp.crypto.ZsspConstants;

/**
 * Local timers and limits of a {@link Context} (spec §3.5). All times are milliseconds; peers may
 * use different settings, since every timer is local. Use {@link #defaults()} and the
 * {@code with…} methods to change one value.
 *
 * <p>Persistent mode (spec §1.3) needs two relations between the peers' settings. The engine drops
 * a Completion whose pending handshake outlived {@code pendingHandshakeTimeout}, and a K2/C1/C2
 * reaching an S1/R1/R2 session past its {@code rekeyTimeout}. That stops a stale packet from
 * advancing a ratchet after the peer has already started over with a new Hello, which with
 * two-slot ratchet storage would leave the peers without a common state (a lockout under π1/π3).
 * It works as long as a responder's {@code pendingHandshakeTimeout} is at most the initiator's
 * {@code initialOfferTimeout}, and both peers use the same {@code rekeyTimeout}. The defaults
 * (10 s, 10 s, 60 s) satisfy both.
 *
 * @param initialOfferTimeout     timeout of Hello (A1) and Completion (A3) before a fresh Hello
 * @param rekeyTimeout            timeout of S1, R1, R2 before the session expires
 * @param rekeyAfterTime          base of the jittered S2 timeout that starts a rekey
 * @param rekeyTimeMaxJitter      the S2 timeout is {@code rekeyAfterTime - (random mod jitter)}; > 0
 * @param rekeyAfterKeyUses       soft limit: packets under one key before a rekey is forced
 * @param resendTime              resend interval of handshake packets; also the longest service interval
 * @param fragmentAssemblyTimeout lifetime of a partial packet
 * @param pendingHandshakeTimeout lifetime of a responder's pending handshake (B2) awaiting Completion
 * @param maxPendingHandshakes    cap on pending handshakes; the oldest is dropped when full
 * @param maxHelloReassemblies    cap on partially received Hello/Challenge packets (shared, unauthenticated)
 * @param challengesPerAddress    challenges sent per second to one source address (also the burst); further
 *                                Hellos needing a challenge are dropped unanswered ({@link Fault#CHALLENGE_LIMITED}).
 *                                A local rule, not on the wire: an honest initiator resends once per
 *                                {@code resendTime}, so it never meets the limit, while a flood from one
 *                                address costs no reply packets and no MAC (compare wireguard-go's ratelimiter).
 */
public record Settings(
        long initialOfferTimeout,
        long rekeyTimeout,
        long rekeyAfterTime,
        long rekeyTimeMaxJitter,
        long rekeyAfterKeyUses,
        long resendTime,
        long fragmentAssemblyTimeout,
        long pendingHandshakeTimeout,
        int maxPendingHandshakes,
        int maxHelloReassemblies,
        int challengesPerAddress) {

    public Settings {
        positive("initialOfferTimeout", initialOfferTimeout);
        positive("rekeyTimeout", rekeyTimeout);
        positive("rekeyAfterTime", rekeyAfterTime);
        positive("rekeyTimeMaxJitter", rekeyTimeMaxJitter);
        positive("rekeyAfterKeyUses", rekeyAfterKeyUses);
        positive("resendTime", resendTime);
        positive("fragmentAssemblyTimeout", fragmentAssemblyTimeout);
        positive("pendingHandshakeTimeout", pendingHandshakeTimeout);
        positive("maxPendingHandshakes", maxPendingHandshakes);
        positive("maxHelloReassemblies", maxHelloReassemblies);
        positive("challengesPerAddress", challengesPerAddress);
        if (rekeyAfterKeyUses > ZsspConstants.HARD_KEY_USE_LIMIT) {
            throw new IllegalArgumentException("rekeyAfterKeyUses must not exceed the hard limit 2^32-1, got " + rekeyAfterKeyUses);
        }
    }

    /**
     * The reference defaults ({@code Settings::new_ms()}), B2 lifetime 10 s (whitepaper), 256 pending
     * handshakes, 20 challenges per second per source address.
     */
    public static Settings defaults() {
        return new Settings(ZsspConstants.INITIAL_OFFER_TIMEOUT, ZsspConstants.REKEY_TIMEOUT, ZsspConstants.REKEY_AFTER_TIME,
                ZsspConstants.REKEY_TIME_MAX_JITTER, ZsspConstants.REKEY_AFTER_KEY_USES, ZsspConstants.RESEND_TIME,
                ZsspConstants.FRAGMENT_ASSEMBLY_TIMEOUT, 10_000, 256, 256, 20);
    }

    /** Rekey after {@code ms} (with at most {@code jitterMs} taken off at random). */
    public Settings withRekeyAfterTime(long ms, long jitterMs) {
        return new Settings(initialOfferTimeout, rekeyTimeout, ms, jitterMs, rekeyAfterKeyUses, resendTime,
                fragmentAssemblyTimeout, pendingHandshakeTimeout, maxPendingHandshakes, maxHelloReassemblies, challengesPerAddress);
    }

    public Settings withRekeyAfterKeyUses(long uses) {
        return new Settings(initialOfferTimeout, rekeyTimeout, rekeyAfterTime, rekeyTimeMaxJitter, uses, resendTime,
                fragmentAssemblyTimeout, pendingHandshakeTimeout, maxPendingHandshakes, maxHelloReassemblies, challengesPerAddress);
    }

    public Settings withResendTime(long ms) {
        return new Settings(initialOfferTimeout, rekeyTimeout, rekeyAfterTime, rekeyTimeMaxJitter, rekeyAfterKeyUses, ms,
                fragmentAssemblyTimeout, pendingHandshakeTimeout, maxPendingHandshakes, maxHelloReassemblies, challengesPerAddress);
    }

    public Settings withTimeouts(long initialOfferMs, long rekeyMs) {
        return new Settings(initialOfferMs, rekeyMs, rekeyAfterTime, rekeyTimeMaxJitter, rekeyAfterKeyUses, resendTime,
                fragmentAssemblyTimeout, pendingHandshakeTimeout, maxPendingHandshakes, maxHelloReassemblies, challengesPerAddress);
    }

    public Settings withPendingHandshakes(int max, long timeoutMs) {
        return new Settings(initialOfferTimeout, rekeyTimeout, rekeyAfterTime, rekeyTimeMaxJitter, rekeyAfterKeyUses, resendTime,
                fragmentAssemblyTimeout, timeoutMs, max, maxHelloReassemblies, challengesPerAddress);
    }

    /** At most {@code perSecond} challenges per second (and in a burst) to one source address. */
    public Settings withChallengesPerAddress(int perSecond) {
        return new Settings(initialOfferTimeout, rekeyTimeout, rekeyAfterTime, rekeyTimeMaxJitter, rekeyAfterKeyUses, resendTime,
                fragmentAssemblyTimeout, pendingHandshakeTimeout, maxPendingHandshakes, maxHelloReassemblies, perSecond);
    }

    private static void positive(String name, long v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
}
