package dev.planetary.zssp;

/**
 * How the engine reaches a remote peer: the transport's handle for one remote address. The engine
 * hands it whole datagrams, one at a time; it never performs I/O itself.
 */
public interface Remote {

    /**
     * Sends one datagram. The bytes are only valid during the call (the engine may reuse the
     * array), so a transport that queues them must copy. Must not throw for network errors:
     * datagram delivery is unreliable anyway.
     */
    void send(byte[] datagram, int off, int len);

    /** The path MTU to fragment for; values below 128 are raised to 128 (spec §3.4). */
    default int mtu() {
        return 1432;
    }

    /**
     * A stable, injective byte encoding of this remote address, used only locally by the challenge
     * MAC (spec §9.3): e.g. IP address bytes followed by the port. The default is empty, which
     * makes every address the same to the challenge layer.
     */
    default byte[] addressBytes() {
        return new byte[0];
    }
}
