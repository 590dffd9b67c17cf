package dev.planetary.controller;

/** The controller's answer to a NETWORK_CONFIG_REQUEST (VL.md §7.3, §7.5). */
public sealed interface ConfigAnswer {
    /**
     * NETWORK_CONFIG with the member's new MC embedded; {@code revocationList} is non-null when
     * the member's held list is older (it follows as a NETWORK_CREDENTIALS push).
     */
    record Config(ConfigContent content, CredentialContent credentialContent, Signed config, Signed credential,
            Signed revocationList) implements ConfigAnswer {}

    /** The held config revision is current: NETWORK_CREDENTIALS with only a fresh MC (and the list if the held one is older). */
    record FreshCredential(CredentialContent content, Signed credential, Signed revocationList) implements ConfigAnswer {}

    /**
     * ERROR: {@code reason} for NETWORK_ACCESS_DENIED (§7.5 step 3), {@code retryAfterSeconds} for
     * RATE_LIMITED; {@code why} is for logs and events only.
     */
    record Refused(ErrorCode code, int reason, int retryAfterSeconds, String why) implements ConfigAnswer {}
}
