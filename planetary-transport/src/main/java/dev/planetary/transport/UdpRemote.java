package dev.planetary.transport;

import dev.planetary.zssp.Remote;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;

/** The engine's handle for one remote UDP address, reached through one of the endpoint's sockets. */
final class UdpRemote implements Remote {
    final Endpoint endpoint;
    final DatagramChannel channel;
    final InetSocketAddress address;
    /** The session this remote sends for (for per-session counters and MTU), or null. */
    final PeerSession owner;
    private volatile byte[] addressBytes;

    UdpRemote(Endpoint endpoint, DatagramChannel channel, InetSocketAddress address, PeerSession owner) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.address = address;
        this.owner = owner;
    }

    @Override
    public void send(byte[] datagram, int off, int len) {
        endpoint.sendDatagram(this, datagram, off, len);
    }

    @Override
    public int mtu() {
        return owner != null ? owner.mtu() : endpoint.mtuFor(address);
    }

    /** IP address bytes ‖ BE16(port): injective over IPv4 and IPv6 (4 vs 16 address bytes). */
    @Override
    public byte[] addressBytes() {
        byte[] b = addressBytes;
        if (b == null) {
            byte[] ip = address.getAddress().getAddress();
            b = new byte[ip.length + 2];
            System.arraycopy(ip, 0, b, 0, ip.length);
            b[ip.length] = (byte) (address.getPort() >>> 8);
            b[ip.length + 1] = (byte) address.getPort();
            addressBytes = b;
        }
        return b.clone();
    }

    @Override
    public String toString() {
        return "UdpRemote[" + Endpoint.format(address) + "]";
    }
}
