/**
 * TCP forwarding over SEQEX on one ZSSP session: the library behind {@code planetary tunnel} and
 * {@code planetary listen --allow-tunnel} (docs/cli.md, "Tunnels"), for any program that holds a
 * {@link dev.planetary.transport.PeerSession}.
 *
 * <p>Only {@code dev.planetary.tunnel} is exported, and in it only the API: {@link dev.planetary.tunnel.TunnelServer}
 * (the listener side), {@link dev.planetary.tunnel.TunnelClient} and {@link dev.planetary.tunnel.TunnelSupervisor}
 * (the connecting side), their limits, targets and events. The wire protocol, streams and the SEQEX
 * link are package-private.
 */
module dev.planetary.tunnel {
    requires transitive dev.planetary.transport;
    requires transitive dev.planetary.seqex;
    requires org.slf4j;

    exports dev.planetary.tunnel;
}
