package dev.planetary.identity;

/** Why bytes or text were refused. Decoders return one of these as a value; they never throw on hostile input. */
public enum Rejection {
    /** Wrong length: too short, too long, or a length field pointing past the end. */
    LENGTH,
    /** Unknown identity type, object type, format version or magic. */
    TYPE,
    /** A public key that is not a valid compressed P-384 point. */
    BAD_POINT,
    /** The identity's self-signature does not verify. */
    SELF_SIGNATURE,
    /** The address proof of work fails (w[0] ≥ 4). */
    PROOF_OF_WORK,
    /** The derived address is reserved (first byte 0xff, or 0). */
    RESERVED_ADDRESS,
    /** The stated address differs from the derived one. */
    ADDRESS_MISMATCH,
    /** A secret does not match its public key, or is out of range. */
    SECRET_MISMATCH,
    /** Malformed text (characters, separators, base32). */
    SYNTAX,
    /** TLV structure: order, an unknown mandatory type, a wrong field length, a repeated field. */
    TLV,
    /** Not issued by the expected issuer. */
    ISSUER,
    /** An object-specific rule (duplicates, counts, names, endpoint lengths, semantic checks). */
    SEMANTIC,
    /** The signature does not verify. */
    SIGNATURE,
    /** Refused by the root-set update rule (name, revision, signer). */
    UPDATE_RULE
}
