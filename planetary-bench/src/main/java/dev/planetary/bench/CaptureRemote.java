package dev.planetary.bench;

import dev.planetary.zssp.Remote;

/** A remote that keeps each thread's last datagram (reusing its buffer), for send-then-receive benchmarks. */
final class CaptureRemote implements Remote {
    private final ThreadLocal<byte[][]> last = ThreadLocal.withInitial(() -> new byte[1][]);
    private final int mtu;

    CaptureRemote(int mtu) {
        this.mtu = mtu;
    }

    @Override
    public void send(byte[] datagram, int off, int len) {
        byte[][] slot = last.get();
        byte[] b = slot[0];
        if (b == null || b.length != len) slot[0] = b = new byte[len];
        System.arraycopy(datagram, off, b, 0, len);
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** This thread's last datagram. */
    byte[] last() {
        return last.get()[0];
    }
}
