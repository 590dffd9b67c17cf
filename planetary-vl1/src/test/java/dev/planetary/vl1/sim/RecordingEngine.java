package dev.planetary.vl1.sim;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A test engine that keeps what it receives and never schedules anything. */
final class RecordingEngine implements SimEngine {
    record Got(long time, byte[] bytes, InetSocketAddress local, InetSocketAddress from) {}

    final List<Got> got = new ArrayList<>();

    @Override
    public void receive(byte[] datagram, InetSocketAddress localSocket, InetSocketAddress from, long now) {
        got.add(new Got(now, datagram, localSocket, from));
    }

    @Override
    public long service(long now) {
        return Long.MAX_VALUE;
    }

    InetSocketAddress lastFrom() {
        return got.get(got.size() - 1).from();
    }
}
