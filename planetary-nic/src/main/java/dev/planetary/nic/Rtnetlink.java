package dev.planetary.nic;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The two rtnetlink requests VL.md §12.3 steps 5 and 6 need — {@code RTM_NEWADDR} and
 * {@code RTM_NEWROUTE} with create + replace (what {@code ip addr replace} / {@code ip route replace}
 * send) — over an {@code AF_NETLINK} socket opened through FFM in the TAP's namespace. Each request
 * is acknowledged; a negative ack is a {@link NicException} with the kernel's errno.
 * Layouts: linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h (host byte order).
 */
final class Rtnetlink implements AutoCloseable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;
    private static final short RTM_NEWADDR = 20;
    private static final short RTM_NEWROUTE = 24;
    private static final short NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_ACK = 0x4;
    private static final short NLM_F_REPLACE = 0x100;
    private static final short NLM_F_CREATE = 0x400;
    private static final short IFA_ADDRESS = 1;
    private static final short IFA_LOCAL = 2;
    private static final short IFA_BROADCAST = 4;
    private static final short IFA_FLAGS = 8;
    private static final int IFA_F_NODAD = 0x02;
    private static final short RTA_DST = 1;
    private static final short RTA_OIF = 4;
    private static final short RTA_GATEWAY = 5;
    private static final short RTA_PRIORITY = 6;
    private static final int RT_TABLE_MAIN = 254;
    private static final int RTPROT_STATIC = 4;
    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final int RT_SCOPE_LINK = 253;
    private static final int RTN_UNICAST = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf = arena.allocate(8192, 8);
    private int seq;

    private Rtnetlink(int fd) {
        this.fd = fd;
    }

    /** Opens the socket in the calling thread's network namespace. */
    static Rtnetlink open() {
        int fd = Native.socket(AF_NETLINK, SOCK_RAW | Native.SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0) {
            throw new NicException("socket(AF_NETLINK) failed: " + Native.strerror(-fd), -fd);
        }
        return new Rtnetlink(fd);
    }

    /** {@code ip addr replace <a> [broadcast +] dev <ifindex>}; IPv6 with {@code nodad}. */
    synchronized void replaceAddress(int ifindex, IpAssignment a) {
        byte[] ip = a.address().getAddress();
        boolean v4 = a.address() instanceof Inet4Address;
        ByteBuffer m = message(RTM_NEWADDR);
        m.put((byte) (v4 ? AF_INET : AF_INET6)).put((byte) a.prefix()).put((byte) 0).put((byte) RT_SCOPE_UNIVERSE);
        m.putInt(ifindex);
        attr(m, IFA_LOCAL, ip);
        attr(m, IFA_ADDRESS, ip);
        if (v4 && a.prefix() < 31) {
            int host = ByteBuffer.wrap(ip).getInt();
            int mask = a.prefix() == 0 ? 0 : -1 << (32 - a.prefix());
            attr(m, IFA_BROADCAST, ByteBuffer.allocate(4).putInt(host | ~mask).array());
        }
        if (!v4) {
            attr(m, IFA_FLAGS, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(IFA_F_NODAD).array());
        }
        request(m, "RTM_NEWADDR " + a);
    }

    /** {@code ip route replace <target>/<prefix> [via <via>] dev <ifindex> metric <metric>}. */
    synchronized void replaceRoute(int ifindex, InetAddress target, int prefix, InetAddress via, int metric) {
        boolean v4 = target instanceof Inet4Address;
        if (via != null && (via instanceof Inet4Address) != v4) {
            throw new IllegalArgumentException("route " + target.getHostAddress() + "/" + prefix
                    + " and its gateway " + via.getHostAddress() + " are of different families");
        }
        ByteBuffer m = message(RTM_NEWROUTE);
        m.put((byte) (v4 ? AF_INET : AF_INET6)).put((byte) prefix).put((byte) 0).put((byte) 0);
        m.put((byte) RT_TABLE_MAIN).put((byte) RTPROT_STATIC)
                .put((byte) (via == null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE)).put((byte) RTN_UNICAST);
        m.putInt(0);
        attr(m, RTA_DST, target.getAddress());
        if (via != null) {
            attr(m, RTA_GATEWAY, via.getAddress());
        }
        attr(m, RTA_OIF, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(ifindex).array());
        attr(m, RTA_PRIORITY, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(metric).array());
        request(m, "RTM_NEWROUTE " + target.getHostAddress() + "/" + prefix);
    }

    private ByteBuffer message(short type) {
        ByteBuffer m = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
        m.putInt(0); // length, set in request()
        m.putShort(type);
        m.putShort((short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE));
        m.putInt(++seq);
        m.putInt(0); // to the kernel
        return m;
    }

    private static void attr(ByteBuffer m, short type, byte[] data) {
        m.putShort((short) (4 + data.length)).putShort(type).put(data);
        while ((m.position() & 3) != 0) {
            m.put((byte) 0);
        }
    }

    private void request(ByteBuffer m, String what) {
        int len = m.position();
        m.putInt(0, len);
        MemorySegment.copy(m.array(), 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, len);
        long w = Native.write(fd, buf, len);
        if (w < 0) {
            throw new NicException(what + ": netlink write failed: " + Native.strerror((int) -w), (int) -w);
        }
        int mySeq = seq;
        for (int i = 0; i < 16; i++) { // the ack; anything else (none expected) is skipped, boundedly
            long n = Native.read(fd, buf, buf.byteSize());
            if (n < 0) {
                throw new NicException(what + ": netlink read failed: " + Native.strerror((int) -n), (int) -n);
            }
            if (n < 20) {
                continue;
            }
            short type = buf.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 4);
            int rseq = buf.get(JAVA_INT, 8);
            if (type != NLMSG_ERROR || rseq != mySeq) {
                continue;
            }
            int err = buf.get(JAVA_INT, 16);
            if (err == 0) {
                return;
            }
            String msg = what + " refused by the kernel: " + Native.strerror(-err);
            throw new NicException(err == -Native.EPERM ? msg + "; " + Tap.PRIVILEGE_HINT : msg, -err);
        }
        throw new NicException(what + ": no netlink acknowledgement", 0);
    }

    @Override
    public synchronized void close() {
        Native.close(fd);
        arena.close();
    }
}
