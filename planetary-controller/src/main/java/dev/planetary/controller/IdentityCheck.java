package dev.planetary.controller;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Identity;
import dev.planetary.identity.IdentityVerifier;

/** Verifies that an identity is valid and derives {@code claimed} (VL.md §2.6): done before a member row is created or bound. */
@FunctionalInterface
public interface IdentityCheck {
    boolean provesAddress(Identity identity, Address claimed);

    /** The real check: self-signature and Argon2id address derivation, cached. */
    static IdentityCheck verifying(IdentityVerifier verifier) {
        return (id, claimed) -> verifier.verify(id, claimed) instanceof Decoded.Ok<Address>;
    }
}
