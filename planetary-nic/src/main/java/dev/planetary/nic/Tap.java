package dev.planetary.nic;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Linux TAP device reached through the FFM API (VL.md §12.1). {@link #open} creates the device in
 * the calling thread's network namespace ({@link NetworkNamespace#callIn} picks another); closing the
 * Tap removes it with its addresses and routes.
 *
 * <p>{@link #read} blocks until one frame arrives ({@code dst ‖ src ‖ ethertype ‖ payload}, no FCS)
 * and returns -1 once the Tap is closed: the device is non-blocking, so a busy reader pays one
 * {@code read(2)} per frame, and an idle one waits in {@code poll(2)} on the device and an eventfd
 * that {@link #close} signals, so no thread stays stuck in {@code read(2)}. Call it from a platform thread
 * (FFM downcalls pin virtual threads). One reader and any number of writers may run at once.
 * {@link #start} runs such a reader for the {@link VirtualNic} contract.
 */
public final class Tap implements VirtualNic {
    /** The largest frame read or written: a 64 KiB buffer covers any MTU Linux accepts on a TAP. */
    public static final int MAX_FRAME = 65536;

    // §12.1 and linux/if_tun.h, linux/sockios.h: the ioctl numbers and flags.
    private static final long TUNSETIFF = 0x400454caL;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCSIFMTU = 0x8922;
    private static final long SIOCSIFHWADDR = 0x8924;
    private static final long SIOCGIFINDEX = 0x8933;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_UP = 0x1;
    private static final short ARPHRD_ETHER = 1;
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;
    private static final String TUN = "/dev/net/tun";

    /** What to do when the TAP may not be created (§12.6). */
    public static final String PRIVILEGE_HINT = "needs CAP_NET_ADMIN: run as root, or grant the service"
            + " AmbientCapabilities=CAP_NET_ADMIN (scripts/install-service installs such a unit), or run"
            + " 'planetary node --rootless' (its own user + network namespace)";

    private final String name;
    private final int fd;
    private final int wakeFd;
    private final int ctlSocket;
    private final Rtnetlink netlink;
    private final int index;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment readBuf = arena.allocate(MAX_FRAME, 16);
    private final MemorySegment writeBuf = arena.allocate(MAX_FRAME, 16);
    private final MemorySegment pollFds = arena.allocate(16, 8);
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile MacAddress mac;
    private volatile Thread reader;
    private volatile NicException readFault;

    private final AtomicLong framesRead = new AtomicLong();
    private final AtomicLong framesWritten = new AtomicLong();
    private final AtomicLong writeDrops = new AtomicLong();
    private final AtomicLong handlerFaults = new AtomicLong();

    private Tap(String name, int fd, int wakeFd, int ctlSocket, Rtnetlink netlink, int index) {
        this.name = name;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.ctlSocket = ctlSocket;
        this.netlink = netlink;
        this.index = index;
    }

    /**
     * Creates the TAP {@code name} (§12.2; a {@code %d} pattern lets the kernel number it) in the
     * calling thread's network namespace.
     *
     * @throws NicException naming the cause and the fix: no {@code /dev/net/tun}, no CAP_NET_ADMIN, name in use
     */
    public static Tap open(String name) {
        TapName.check(name.replace("%d", "0"));
        int fd = Native.open(TUN, Native.O_RDWR | Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (fd < 0) {
            throw openFailure(-fd);
        }
        int wake = -1;
        int sock = -1;
        Rtnetlink nl = null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = a.allocate(IFREQ_SIZE);
            putName(ifr, name);
            ifr.set(JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI));
            int r = Native.ioctl(fd, TUNSETIFF, ifr);
            if (r < 0) {
                throw switch (-r) {
                    case Native.EPERM, Native.EACCES -> new NicException(
                            "cannot create TAP " + name + " (" + Native.strerror(-r) + "): " + PRIVILEGE_HINT, -r);
                    case Native.EBUSY -> new NicException("cannot create TAP " + name
                            + ": the name is in use by a device that is not a free TAP; choose another tapName", -r);
                    default -> new NicException("ioctl(TUNSETIFF) for " + name + " failed: " + Native.strerror(-r), -r);
                };
            }
            String actual = ifr.getString(0, StandardCharsets.US_ASCII);
            wake = Native.eventfd(0, Native.EFD_CLOEXEC);
            if (wake < 0) {
                throw new NicException("eventfd failed: " + Native.strerror(-wake), -wake);
            }
            // The control socket lives in the namespace the device was created in (§12.6).
            sock = Native.socket(Native.AF_INET, Native.SOCK_DGRAM | Native.SOCK_CLOEXEC, 0);
            if (sock < 0) {
                throw new NicException("socket(AF_INET) failed: " + Native.strerror(-sock), -sock);
            }
            MemorySegment q = a.allocate(IFREQ_SIZE);
            putName(q, actual);
            int r2 = Native.ioctl(sock, SIOCGIFINDEX, q);
            if (r2 < 0) {
                throw new NicException("SIOCGIFINDEX on " + actual + " failed: " + Native.strerror(-r2), -r2);
            }
            nl = Rtnetlink.open(); // like the control socket: in the device's namespace
            return new Tap(actual, fd, wake, sock, nl, q.get(JAVA_INT, 16));
        } catch (RuntimeException e) {
            if (nl != null) {
                nl.close();
            }
            Native.close(fd);
            if (wake >= 0) {
                Native.close(wake);
            }
            if (sock >= 0) {
                Native.close(sock);
            }
            throw e;
        }
    }

    private static NicException openFailure(int errno) {
        return switch (errno) {
            case Native.ENOENT, Native.ENODEV -> new NicException(TUN + " is missing (" + Native.strerror(errno)
                    + "): load the tun module (modprobe tun), or give the container the device (--device /dev/net/tun)", errno);
            case Native.EPERM, Native.EACCES -> new NicException("cannot open " + TUN + " (" + Native.strerror(errno)
                    + "): " + PRIVILEGE_HINT, errno);
            default -> new NicException("cannot open " + TUN + ": " + Native.strerror(errno), errno);
        };
    }

    /** §12.5: what the kernel joined on this device ({@code /proc/net/dev_mcast}). */
    @Override
    public java.util.Set<MacAddress> joinedGroups() {
        return KernelMulticast.read(name());
    }

    /** The device name the kernel gave (the requested one unless it held {@code %d}). */
    public String name() {
        return name;
    }

    @Override
    public MacAddress mac() {
        MacAddress m = mac;
        if (m == null) {
            throw new IllegalStateException("TAP " + name + " has no MAC set yet: call setMac first");
        }
        return m;
    }

    /** §12.3 step 1: {@code SIOCSIFHWADDR}. */
    public void setMac(MacAddress m) {
        if (m.isMulticast()) {
            throw new IllegalArgumentException("a NIC's MAC must be unicast, got " + m);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(a);
            ifr.set(JAVA_SHORT, 16, ARPHRD_ETHER);
            MemorySegment.copy(m.toBytes(), 0, ifr, JAVA_BYTE, 18, 6);
            check(Native.ioctl(ctlSocket, SIOCSIFHWADDR, ifr), "SIOCSIFHWADDR");
        }
        mac = m;
    }

    /** §12.3 step 2: {@code SIOCSIFMTU}. */
    public void setMtu(int mtu) {
        if (mtu < 68 || mtu > MAX_FRAME - 18) {
            throw new IllegalArgumentException("MTU must be 68.." + (MAX_FRAME - 18) + ", got " + mtu);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(a);
            ifr.set(JAVA_INT, 16, mtu);
            check(Native.ioctl(ctlSocket, SIOCSIFMTU, ifr), "SIOCSIFMTU");
        }
    }

    /** §12.3 step 4: sets or clears IFF_UP ({@code SIOCGIFFLAGS} then {@code SIOCSIFFLAGS}). */
    public void setUp(boolean up) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(a);
            check(Native.ioctl(ctlSocket, SIOCGIFFLAGS, ifr), "SIOCGIFFLAGS");
            short flags = ifr.get(JAVA_SHORT, 16);
            flags = (short) (up ? flags | IFF_UP : flags & ~IFF_UP);
            ifr.set(JAVA_SHORT, 16, flags);
            check(Native.ioctl(ctlSocket, SIOCSIFFLAGS, ifr), "SIOCSIFFLAGS");
        }
    }

    /** The kernel's interface index. */
    public int index() {
        return index;
    }

    /**
     * §12.3 step 5 through rtnetlink: {@code ip addr replace <a> [broadcast +] dev <tap>} (IPv6 with
     * {@code nodad}: an assigned address encodes its owner).
     */
    public void replaceAddress(IpAssignment a) {
        checkOpen();
        netlink.replaceAddress(index, a);
    }

    /** §12.3 step 6 through rtnetlink: {@code ip route replace <target>/<prefix> [via <via>] dev <tap> metric <m>}. */
    public void replaceRoute(java.net.InetAddress target, int prefix, java.net.InetAddress via, int metric) {
        new IpAssignment(target, prefix);
        checkOpen();
        netlink.replaceRoute(index, target, prefix, via, metric);
    }

    /**
     * Blocks until one frame arrives and copies it into {@code dst} (from its position; the position
     * advances). Returns the frame's length, or -1 once the Tap is closed. A frame longer than
     * {@code dst.remaining()} is truncated to it.
     */
    public int read(ByteBuffer dst) {
        readLock.lock();
        try {
            while (true) {
                if (closed.get()) {
                    return -1;
                }
                long n = Native.read(fd, readBuf, MAX_FRAME); // non-blocking: a frame, or EAGAIN and then poll
                if (n == -Native.EINTR) {
                    continue;
                }
                if (n == -Native.EAGAIN) {
                    if (awaitFrame()) {
                        continue;
                    }
                    return -1;
                }
                if (n < 0) {
                    throw new NicException("read from TAP " + name + " failed: " + Native.strerror((int) -n), (int) -n);
                }
                int len = (int) Math.min(n, dst.remaining());
                MemorySegment.ofBuffer(dst).copyFrom(readBuf.asSlice(0, len));
                dst.position(dst.position() + len);
                framesRead.incrementAndGet();
                return (int) n;
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Waits in poll(2) until the device is readable (true) or the Tap is closed (false). Holds readLock. */
    private boolean awaitFrame() {
        while (true) {
            pollFds.set(JAVA_INT, 0, fd);
            pollFds.set(JAVA_SHORT, 4, Native.POLLIN); // struct pollfd: int fd, short events, short revents
            pollFds.set(JAVA_SHORT, 6, (short) 0);
            pollFds.set(JAVA_INT, 8, wakeFd);
            pollFds.set(JAVA_SHORT, 12, Native.POLLIN);
            pollFds.set(JAVA_SHORT, 14, (short) 0);
            int r = Native.poll(pollFds, 2, -1);
            if (r == -Native.EINTR) {
                continue;
            }
            if (r < 0) {
                throw new NicException("poll on TAP " + name + " failed: " + Native.strerror(-r), -r);
            }
            if (closed.get() || pollFds.get(JAVA_SHORT, 14) != 0) {
                return false;
            }
            short rev = pollFds.get(JAVA_SHORT, 6);
            if ((rev & (Native.POLLERR | Native.POLLHUP | Native.POLLNVAL)) != 0 && (rev & Native.POLLIN) == 0) {
                throw new NicException("TAP " + name + " failed (poll revents " + rev + ")", 0);
            }
            return true;
        }
    }

    /**
     * Injects one frame (position to limit) into the host's stack.
     *
     * @throws NicException if the kernel refuses it (e.g. the device is down: EIO)
     */
    public void write(ByteBuffer frame) {
        int len = frame.remaining();
        if (len < 14 || len > MAX_FRAME) {
            throw new IllegalArgumentException("an Ethernet frame is 14.." + MAX_FRAME + " bytes, got " + len);
        }
        writeLock.lock();
        try {
            if (closed.get()) {
                throw new IllegalStateException("TAP " + name + " is closed");
            }
            MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, writeBuf, 0, len);
            long n = Native.write(fd, writeBuf, len);
            if (n < 0) {
                throw new NicException("write to TAP " + name + " failed: " + Native.strerror((int) -n), (int) -n);
            }
            frame.position(frame.limit());
            framesWritten.incrementAndGet();
        } finally {
            writeLock.unlock();
        }
    }

    /** {@link VirtualNic#send}: {@link #write}, with refused or malformed frames dropped and counted. */
    @Override
    public void send(ByteBuffer frame) {
        try {
            write(frame);
        } catch (NicException | IllegalArgumentException | IllegalStateException e) {
            writeDrops.incrementAndGet();
        }
    }

    /** Starts a platform reader thread that hands each frame to {@code handler}; a throwing handler is counted. */
    @Override
    public void start(FrameHandler handler) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("TAP " + name + " is already started");
        }
        reader = Thread.ofPlatform().daemon().name("tap-" + name).start(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(MAX_FRAME);
            while (true) {
                buf.clear();
                int n;
                try {
                    n = read(buf);
                } catch (NicException e) {
                    if (!closed.get()) {
                        readFault = e; // the device failed under us (e.g. deleted): the reader ends, the fault stays visible
                    }
                    return;
                }
                if (n < 0) {
                    return;
                }
                buf.flip();
                try {
                    handler.onFrame(buf);
                } catch (RuntimeException e) {
                    handlerFaults.incrementAndGet();
                }
            }
        });
    }

    public long framesRead() {
        return framesRead.get();
    }

    public long framesWritten() {
        return framesWritten.get();
    }

    /** Frames {@link #send} dropped (refused by the kernel, malformed, or after close). */
    public long writeDrops() {
        return writeDrops.get();
    }

    /** Why the {@link #start} reader stopped before {@link #close}, or null. */
    public NicException readFault() {
        return readFault;
    }

    /** Frames whose handler threw. */
    public long handlerFaults() {
        return handlerFaults.get();
    }

    /** Wakes the reader, then closes the device (removing it) and frees the buffers. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            Native.write(wakeFd, one, 8);
        }
        Thread r = reader;
        if (r != null && r != Thread.currentThread()) {
            try {
                r.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        readLock.lock();
        writeLock.lock();
        try {
            Native.close(fd);
            Native.close(ctlSocket);
            netlink.close();
            Native.close(wakeFd);
            arena.close();
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("TAP " + name + " is closed");
        }
    }

    private MemorySegment ifreq(Arena a) {
        checkOpen();
        MemorySegment ifr = a.allocate(IFREQ_SIZE);
        putName(ifr, name);
        return ifr;
    }

    private static void putName(MemorySegment ifr, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        if (b.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name longer than 15 characters: " + name);
        }
        MemorySegment.copy(b, 0, ifr, JAVA_BYTE, 0, b.length);
    }

    private void check(int r, String what) {
        if (r < 0) {
            String msg = what + " on " + name + " failed: " + Native.strerror(-r);
            throw new NicException(r == -Native.EPERM || r == -Native.EACCES ? msg + "; " + PRIVILEGE_HINT : msg, -r);
        }
    }

    @Override
    public String toString() {
        return "Tap[" + name + "]";
    }
}
