package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Two {@link SeqexCore}s over a lossy, duplicating, reordering {@link SimNet} in virtual time, with
 * randomized applications on both sides (plain / SeqCst payloads, requests, SeqCst replies, slow
 * readers, slow repliers). Checks exactly-once delivery, SeqCst ordering, reply pairing, buffer
 * bounds after every event, and completion within a virtual-time bound.
 */
class SeqexPropertyTest {
    static final boolean LONG = Boolean.parseBoolean(System.getProperty("planetary.long", "false"));
    static final int SEEDS = LONG ? 5_000 : 500;
    static final long TIME_BOUND = 20 * 60_000; // virtual ms
    /** The longest payload {@link #app} sends (13-byte header, up to 199 bytes of padding). */
    static final int MAX_TEST_PAYLOAD = 13 + 199;

    /** Payload: side, channel, index (send order on that side and channel), request index or -1, padding. */
    static byte[] payload(int side, int ch, int index, int replyToIndex, int pad) {
        ByteBuffer b = ByteBuffer.allocate(13 + pad);
        b.put((byte) side).putInt(ch).putInt(index).putInt(replyToIndex);
        return b.array();
    }

    static final class Side {
        final int id;
        SeqexCore core;
        final SplittableRandom rnd;
        final int channels;
        final int[] toSend;       // payloads still to send per channel
        final int[] nextIndex;    // send-order index per channel (payloads and replies share it)
        final List<ArrayDeque<Object[]>> inbox = new ArrayList<>(); // {seq, index, expectsReply, payload length}
        final List<ArrayDeque<Object[]>> toReply = new ArrayList<>(); // {seq, requestIndex}
        final BitSet[] deliveredFromPeer;   // indices of the peer's packets delivered here
        final int[] prefixFromPeer;         // all peer indices < prefix delivered
        final List<BitSet> repliesReceived = new ArrayList<>(); // request indices answered
        int requestsSent;
        int repliesGot;
        int seqCstChecked;
        double pSeqCst, pRequest, pRead, pReply, pReplySeqCst;
        boolean wrapSeen;
        int lowSeq, highSeq;

        Side(int id, SplittableRandom rnd, int channels, int perChannel) {
            this.id = id;
            this.rnd = rnd;
            this.channels = channels;
            toSend = new int[channels];
            nextIndex = new int[channels];
            deliveredFromPeer = new BitSet[channels];
            prefixFromPeer = new int[channels];
            for (int c = 0; c < channels; c++) {
                toSend[c] = perChannel;
                inbox.add(new ArrayDeque<>());
                toReply.add(new ArrayDeque<>());
                deliveredFromPeer[c] = new BitSet();
                repliesReceived.add(new BitSet());
            }
        }
    }

    @Test
    void exactlyOnceOrderedPairedBoundedUnderLossManySeeds() {
        long totalDelivered = 0;
        int wrapSeeds = 0;
        for (int seed = 1; seed <= SEEDS; seed++) {
            Result r = runSeed(seed);
            totalDelivered += r.delivered;
            if (r.wrapped) wrapSeeds++;
        }
        assertTrue(totalDelivered > SEEDS * 20L, "deliveries happened: " + totalDelivered);
        assertTrue(wrapSeeds > SEEDS / 10, "sequence numbers crossed 2^32 in enough seeds: " + wrapSeeds);
    }

    @Test
    void thirtyPercentLossInBothDirectionsCompletes() {
        for (int seed = 10_001; seed <= 10_000 + SEEDS / 5; seed++) {
            Result r = runSeed(seed, 0.30);
            assertTrue(r.lost > 0, "the network lost packets");
        }
    }

    record Result(long delivered, boolean wrapped, long lost, long endTime) {}

    Result runSeed(long seed) {
        return runSeed(seed, -1);
    }

    Result runSeed(long seed, double forcedLoss) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L);
        int[] windows = {1, 2, 3, 4, 8, 16, 64};
        int window = windows[rnd.nextInt(windows.length)];
        int capacity = 1 + rnd.nextInt(window * 2);
        int channels = 1 + rnd.nextInt(3);
        int perChannel = 10 + rnd.nextInt(50);
        double loss = forcedLoss >= 0 ? forcedLoss : (rnd.nextInt(4) == 0 ? 0.3 : rnd.nextDouble() * 0.3);
        double dup = rnd.nextDouble() * 0.2;
        long minDelay = 1 + rnd.nextInt(20);
        long maxDelay = minDelay + rnd.nextInt(80);
        int initial = switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> -perChannel / 2;
            case 2 -> -3;
            default -> rnd.nextInt();
        };
        boolean adaptive = rnd.nextBoolean();
        SeqexConfig base = SeqexConfig.defaults().withWindow(window, capacity).withInitialSequence(initial).withMaxChannels(channels)
                .withRto(100, 20, 4_000, adaptive).withMaxPacketSize(256);
        // half the seeds run with delayed cumulative acks (drawn from their own stream: the other draws stay as they were)
        SplittableRandom ackRnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        SeqexConfig acks = ackRnd.nextBoolean() ? base.withDelayedAcks(2 + ackRnd.nextInt(2 * window), ackRnd.nextInt(30)) : base;
        SeqexConfig cc = acks.withCongestionControl(ackRnd.nextBoolean());
        // a third of the seeds count the receive buffer in bytes too (docs/seqex.md §4), from one packet to the whole capacity
        SeqexConfig config = ackRnd.nextInt(3) == 0 ? cc.withReceiveBuffer(cc.maxPayload() + ackRnd.nextInt(capacity * cc.maxPayload())) : cc;
        String ctx0 = "seed " + seed + " (window " + window + ", capacity " + capacity + ", channels " + channels + ", per channel " + perChannel
                + ", loss " + loss + ", dup " + dup + ", delay " + minDelay + ".." + maxDelay + ", initial " + initial + ", ack every " + config.ackEvery()
                + " or " + config.ackDelayMillis() + " ms, congestion control " + config.congestionControl() + ", receive buffer " + config.receiveBufferBytes() + " bytes";
        // a third of the seeds advertise receive windows both ways, a third one way only (the other side is sent to as before)
        int advertise = new SplittableRandom(seed ^ 0x1F0A_5EEDL).nextInt(3);
        String ctx = ctx0 + ", windows advertised by " + (advertise == 0 ? "neither side" : advertise == 1 ? "both sides" : "side 0 only") + ")";

        SimNet net = new SimNet(rnd.nextLong(), loss, dup, minDelay, maxDelay);
        Side[] sides = {new Side(0, rnd.split(), channels, perChannel), new Side(1, rnd.split(), channels, perChannel)};
        for (Side s : sides) {
            s.pSeqCst = s.rnd.nextDouble();
            s.pRequest = s.rnd.nextDouble() * 0.5;
            s.pRead = 0.05 + s.rnd.nextDouble() * 0.95;
            s.pReply = 0.1 + s.rnd.nextDouble() * 0.9;
            s.pReplySeqCst = s.rnd.nextDouble();
        }
        for (Side s : sides) {
            Side peer = sides[1 - s.id];
            s.core = new SeqexCore(config, net.carrier(s.id), new SeqexCore.Listener() {
                @Override
                public void onMessage(int channel, int seq, byte[] p, boolean seqCst, boolean expectsReply) {
                    ByteBuffer b = ByteBuffer.wrap(p);
                    assertEquals(peer.id, b.get(), ctx);
                    assertEquals(channel, b.getInt(), ctx);
                    int index = b.getInt();
                    assertEquals(-1, b.getInt(), ctx);
                    delivered(s, channel, index, seqCst, ctx);
                    track(s, seq);
                    s.inbox.get(channel).add(new Object[] {seq, index, expectsReply, p.length});
                }

                @Override
                public void onReply(int channel, int requestSeq, Object attachment, byte[] p, boolean seqCst) {
                    ByteBuffer b = ByteBuffer.wrap(p);
                    assertEquals(peer.id, b.get(), ctx);
                    assertEquals(channel, b.getInt(), ctx);
                    int index = b.getInt();
                    int requestIndex = b.getInt();
                    assertEquals(attachment, requestIndex, ctx + ": reply paired with the wrong request");
                    assertFalse(s.repliesReceived.get(channel).get(requestIndex), ctx + ": second reply to request " + requestIndex);
                    s.repliesReceived.get(channel).set(requestIndex);
                    s.repliesGot++;
                    delivered(s, channel, index, seqCst, ctx);
                }
            });
            net.attach(s.id, (data, now) -> s.core.receive(data, now));
        }
        if (advertise >= 1) sides[0].core.advertiseWindow();
        if (advertise == 1) sides[1].core.advertiseWindow();

        long nextTick = 0;
        while (true) {
            long now = net.now;
            if (now > TIME_BOUND) fail(ctx + ": not done after " + TIME_BOUND + " virtual ms; " + progress(sides));
            if (now >= nextTick) {
                for (Side s : sides) app(s, sides[1 - s.id], now, perChannel, ctx);
                nextTick = now + 1 + sides[0].rnd.nextInt(10);
            }
            for (Side s : sides) {
                s.core.service(now);
                checkBounds(s, config, ctx);
            }
            if (done(sides, perChannel)) break;
            long next = Math.min(nextTick, net.nextDelivery());
            for (Side s : sides) next = Math.min(next, s.core.nextDeadline());
            net.advanceTo(Math.max(next, now));
            for (Side s : sides) checkBounds(s, config, ctx);
        }
        long delivered = 0;
        for (Side s : sides) {
            Stats st = s.core.stats();
            assertEquals(0, st.internalErrors(), ctx);
            assertEquals(0, st.malformed(), ctx);
            delivered += st.delivered();
            for (int c = 0; c < channels; c++) assertEquals(0, s.core.inFlight(c), ctx);
        }
        boolean wrapped = sides[0].wrapSeen || sides[1].wrapSeen;
        return new Result(delivered, wrapped, net.lost, net.now);
    }

    private static void track(Side s, int seq) {
        if (Integer.compareUnsigned(seq, 0xFFFF_0000) >= 0) s.highSeq++;
        if (Integer.compareUnsigned(seq, 0x0001_0000) < 0) s.lowSeq++;
        if (s.highSeq > 0 && s.lowSeq > 0) s.wrapSeen = true;
    }

    private static void delivered(Side s, int ch, int index, boolean seqCst, String ctx) {
        BitSet d = s.deliveredFromPeer[ch];
        if (d.get(index)) fail(ctx + ": side " + s.id + " channel " + ch + " got index " + index + " twice");
        if (seqCst && s.prefixFromPeer[ch] != index) {
            fail(ctx + ": SeqCst index " + index + " delivered before index " + d.nextClearBit(0) + " (channel " + ch + ")");
        }
        if (seqCst) s.seqCstChecked++;
        d.set(index);
        s.prefixFromPeer[ch] = d.nextClearBit(0);
    }

    /** One application step: read some, reply to some, send while the window allows. */
    private static void app(Side s, Side peer, long now, int perChannel, String ctx) {
        for (int c = 0; c < s.channels; c++) {
            ArrayDeque<Object[]> in = s.inbox.get(c);
            while (!in.isEmpty() && s.rnd.nextDouble() < s.pRead) {
                Object[] m = in.poll();
                s.core.consumed(c, (Integer) m[0], (Integer) m[3], now);
                if ((Boolean) m[2]) s.toReply.get(c).add(new Object[] {m[0], m[1]});
            }
            ArrayDeque<Object[]> rq = s.toReply.get(c);
            while (!rq.isEmpty() && s.core.canReply(c) && s.rnd.nextDouble() < s.pReply) {
                Object[] r = rq.poll();
                int index = s.nextIndex[c]++;
                s.core.reply(c, (Integer) r[0], payload(s.id, c, index, (Integer) r[1], s.rnd.nextInt(40)),
                        s.rnd.nextDouble() < s.pReplySeqCst, null, now);
            }
            while (s.toSend[c] > 0 && s.core.canSend(c, MAX_TEST_PAYLOAD) && s.rnd.nextInt(4) != 0) {
                s.toSend[c]--;
                int index = s.nextIndex[c]++;
                boolean request = s.rnd.nextDouble() < s.pRequest;
                if (request) s.requestsSent++;
                long probes = s.core.stats().windowProbes();
                s.core.send(c, payload(s.id, c, index, -1, s.rnd.nextInt(200)), s.rnd.nextDouble() < s.pSeqCst, request,
                        request ? index : null, now);
                long window = s.core.peerWindow(c);
                // the advertised window is never exceeded, except by one zero-window probe when nothing else was in flight
                if (window >= 0 && s.core.bytesInFlight(c) > window && s.core.stats().windowProbes() == probes) {
                    fail(ctx + ": side " + s.id + " channel " + c + " has " + s.core.bytesInFlight(c) + " bytes in flight, the peer advertised " + window);
                }
            }
        }
    }

    private static boolean done(Side[] sides, int perChannel) {
        for (Side s : sides) {
            Side peer = sides[1 - s.id];
            for (int c = 0; c < s.channels; c++) {
                if (s.toSend[c] > 0 || !s.inbox.get(c).isEmpty() || !s.toReply.get(c).isEmpty()) return false;
                if (s.core.inFlight(c) > 0) return false;
                if (s.deliveredFromPeer[c].cardinality() != peer.nextIndex[c]) return false;
            }
            if (s.repliesGot != s.requestsSent) return false;
        }
        return true;
    }

    static void checkBounds(Side s, SeqexConfig cfg, String ctx) {
        for (int c = 0; c < s.channels; c++) {
            SeqexCore core = s.core;
            int inFlight = core.inFlight(c);
            int held = core.held(c);
            int unconsumed = core.unconsumed(c);
            int awaiting = core.awaitingReply(c);
            int occupancy = core.occupancy(c);
            int w2 = 2 * cfg.window();
            int limit = cfg.receiveCapacity() + w2 - 1;
            long bytes = core.unconsumedBytes(c);
            long inboxBytes = 0;
            for (Object[] m : s.inbox.get(c)) inboxBytes += (Integer) m[3];
            // a payload is accepted only while the bytes stay within receiveBytes; held SeqCst packets may be delivered on top
            long byteLimit = cfg.receiveBytes() + (long) (w2 - 1) * cfg.maxPayload();
            if (inFlight > w2 || held > w2 - 1 || occupancy + held > limit || unconsumed > limit || awaiting > cfg.window()
                    || unconsumed != s.inbox.get(c).size() || bytes != inboxBytes || bytes > byteLimit) {
                fail(ctx + ": bounds exceeded on side " + s.id + " channel " + c + ": inFlight " + inFlight + ", held " + held + ", unconsumed "
                        + unconsumed + " (" + bytes + " bytes, inbox " + inboxBytes + ", limit " + byteLimit + "), awaiting " + awaiting + ", inbox " + s.inbox.get(c).size());
            }
        }
    }

    private static String progress(Side[] sides) {
        StringBuilder b = new StringBuilder();
        for (Side s : sides) {
            b.append("side ").append(s.id).append(": ");
            for (int c = 0; c < s.channels; c++) {
                b.append("[ch").append(c).append(" toSend ").append(s.toSend[c]).append(" inFlight ").append(s.core.inFlight(c))
                        .append(" inbox ").append(s.inbox.get(c).size()).append(" toReply ").append(s.toReply.get(c).size())
                        .append(" got ").append(s.deliveredFromPeer[c].cardinality()).append("] ");
            }
            b.append("replies ").append(s.repliesGot).append('/').append(s.requestsSent).append(' ').append(s.core.stats()).append("; ");
        }
        return b.toString();
    }
}
