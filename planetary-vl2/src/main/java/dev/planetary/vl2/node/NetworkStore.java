package dev.planetary.vl2.node;

import dev.planetary.nic.NetworkId;

/**
 * Where a member keeps what it accepted (VL.md §2.10: {@code networks.d/<nwid>.config},
 * {@code .credential}, {@code .revocations}, {@code .pin}, mode 0600, written atomically). The engine
 * stays sans-IO: the daemon implements this on files, tests in memory.
 */
public interface NetworkStore {
    /** The kinds of file of one network (the file suffix). */
    enum Kind {
        /** The last accepted NetworkConfig PSO. */
        CONFIG("config"),
        /** The node's own current Member Credential PSO. */
        CREDENTIAL("credential"),
        /** The last accepted RevocationList PSO. */
        REVOCATIONS("revocations"),
        /** The pinned controller fingerprint (text); empty while trust on first use is pending. */
        PIN("pin");

        public final String suffix;

        Kind(String suffix) {
            this.suffix = suffix;
        }
    }

    /** Replaces one file atomically; must not throw for I/O trouble (log it). */
    void write(NetworkId network, Kind kind, byte[] content);

    /** Removes every file of {@code network} (leave). */
    void remove(NetworkId network);

    /** Keeps nothing (tests, ephemeral nodes). */
    NetworkStore NONE = new NetworkStore() {
        @Override
        public void write(NetworkId network, Kind kind, byte[] content) {}

        @Override
        public void remove(NetworkId network) {}
    };
}
