package dev.planetary.vl2;

import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.NetworkId;

/**
 * §7.6 steps 1–4, pure: may a member accept this NetworkConfig? Step 5 (signature, last: {@link
 * NetworkConfig#verify}) and step 6 (apply) are the caller's. Well-formedness (step 1's structure,
 * step 2's required fields and limits) is already guaranteed by a decoded {@link NetworkConfig}.
 */
public final class ConfigCheck {
    private ConfigCheck() {}

    /** The outcome, naming the failed step. */
    public enum Result {
        ACCEPT,
        /** Step 1: the issuer is not the pinned controller (or, before pinning, the authenticated session peer). */
        WRONG_ISSUER,
        /** Step 2: the network id differs. */
        WRONG_NETWORK,
        /** Step 2: issued to another member. */
        WRONG_MEMBER,
        /** Step 2: a rule type this node lacks: CLIENT_TOO_OLD, keep the old config. */
        CLIENT_TOO_OLD,
        /** Step 3: the embedded MC is not valid for this node (§8.2 steps 1–2). */
        BAD_CREDENTIAL,
        /** Step 4: not newer than the held config: ignore (a push is answered with an empty OK). */
        NOT_NEWER;

        public boolean accepted() {
            return this == ACCEPT;
        }
    }

    /**
     * @param config         the candidate (decoded; signature not yet checked)
     * @param network        the network the member joined
     * @param expectedIssuer the pinned controller fingerprint; with no pin yet, the authenticated session
     *                       peer whose address is {@code nwid >> 24} (§7.1), which the caller then pins
     * @param self           this node's fingerprint
     * @param held           the config the member holds, or null
     */
    public static Result check(Signed<NetworkConfig> config, NetworkId network, Fingerprint expectedIssuer, Fingerprint self,
                               Signed<NetworkConfig> held) {
        if (!config.issuer().equals(expectedIssuer)) return Result.WRONG_ISSUER;
        NetworkConfig c = config.value();
        if (!c.networkId().equals(network)) return Result.WRONG_NETWORK;
        if (!c.issuedTo().equals(self)) return Result.WRONG_MEMBER;
        if (!c.allRuleTypesKnown()) return Result.CLIENT_TOO_OLD;
        if (!CredentialCheck.checkHolder(network, expectedIssuer, self, c.credential()).valid()) return Result.BAD_CREDENTIAL;
        if (!isNewer(config, held)) return Result.NOT_NEWER;
        return Result.ACCEPT;
    }

    /** Step 4: higher revision (u64), or equal revision and later timestamp; null {@code held} means none. */
    public static boolean isNewer(Signed<NetworkConfig> candidate, Signed<NetworkConfig> held) {
        if (held == null) return true;
        int c = Long.compareUnsigned(candidate.value().revision(), held.value().revision());
        return c > 0 || (c == 0 && Long.compareUnsigned(candidate.timestamp(), held.timestamp()) > 0);
    }
}
