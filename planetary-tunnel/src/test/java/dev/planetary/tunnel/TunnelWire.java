package dev.planetary.tunnel;

import dev.planetary.seqex.Seqex;
import dev.planetary.seqex.SeqexConfig;
import dev.planetary.transport.PeerSession;

/**
 * The tunnel's wire protocol for tests that play a hostile peer (planetary-cli's AccessIT and
 * CliHygieneIT, through this module's test-jar): the package-private {@link TunnelProtocol} stays
 * out of the library's API.
 */
public final class TunnelWire {
    private TunnelWire() {}

    public static final byte OK = TunnelProtocol.OK;
    public static final byte REFUSED = TunnelProtocol.REFUSED;

    /** The SEQEX configuration of a tunnel at the default MTU (base packets). */
    public static SeqexConfig config() {
        return TunnelProtocol.config(TunnelProtocol.BASE_PACKET);
    }

    /** An OPEN request (channel 0) for {@code target} on {@code channel}. */
    public static byte[] open(int stream, int channel, String target) {
        return new TunnelProtocol.Control(TunnelProtocol.OPEN, stream, channel, target).encode();
    }

    /** SEQEX over {@code session} as a tunnel runs it (sends the session refuses are loss); feed it the session's payloads. */
    public static Seqex link(PeerSession session) {
        return new TunnelLink(session, config(), c -> c == 0, Integer.MAX_VALUE, Long.MAX_VALUE).seqex;
    }
}
