package dev.planetary.controller;

/**
 * Signs what the controller issues, as the controller identity (VL.md §7.4, §8.1, §8.4): the
 * wire encoding lives with the VL2 codecs; the engine only decides the content.
 */
public interface Issuer {
    Signed credential(CredentialContent content);

    /** A NetworkConfig embedding {@code credential} (field 0x0f). */
    Signed config(ConfigContent content, Signed credential);

    Signed revocationList(RevocationListContent content);
}
