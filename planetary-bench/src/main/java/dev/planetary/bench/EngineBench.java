package dev.planetary.bench;

import dev.planetary.zssp.internal.EngineAccess;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Remote;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Whole-engine figures: a full XK handshake, and DATA packets through send + receive. */
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineBench {
    /** A receive thread's {@code deferData} when no handshake step is queued. */
    private static final IntPredicate NOTHING_HELD = kid -> false;

    /** A full XK handshake, both sides computed in this thread (X1, X2, X3, C1, C2). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Object handshake() throws Exception {
        LoopbackPair p = new LoopbackPair(1432);
        p.handshake();
        p.close();
        return p;
    }

    /** One established session; DATA packets encrypted by Alice, then received by Bob. */
    @State(Scope.Thread)
    public static class Data {
        @Param({"1400"})
        int size;

        LoopbackPair pair;
        byte[] payload;
        CaptureRemote capture;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            pair = new LoopbackPair(1500);
            pair.handshake();
            payload = new byte[size];
            capture = new CaptureRemote(1500);
            EngineAccess.setRemote(pair.aliceSession, capture);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pair.close();
        }
    }

    /** Encrypt + decrypt of one DATA packet through the whole engine (one fragment at MTU 1500). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object dataSendReceive(Data d) {
        d.pair.aliceSession.send(d.payload);
        return receive(d.pair.bob, d.capture.last(), d.capture);
    }

    /**
     * What a receive thread did before issue 12's single decrypt: {@link Context#route} (key-id
     * lookup, header decrypted into a copy) and then {@code receive} (lookup and decrypt again).
     * Against {@link #dataSendReceiveOrDefer}; run on the old engine jar for the "before".
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object dataSendRouteReceive(Data d) {
        d.pair.aliceSession.send(d.payload);
        return routeAndReceive(d.pair.bob, d.capture.last(), d.capture);
    }

    /** What a receive thread does now: one {@code receiveOrDefer} call (one lookup, one header decrypt). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object dataSendReceiveOrDefer(Data d) {
        d.pair.aliceSession.send(d.payload);
        return receiveOrDefer(d.pair.bob, d.capture.last(), d.capture);
    }

    /** {@code receive} of a DATA datagram, which must deliver. */
    static Object receive(Context<String> bob, byte[] datagram, Remote from) {
        return delivered(bob.receive(datagram, from));
    }

    /** {@code route} (which must say DATA), then {@code receive}. */
    static Object routeAndReceive(Context<String> bob, byte[] datagram, Remote from) {
        if (bob.route(datagram, 0, datagram.length) != Context.Route.DATA) throw new IllegalStateException("not DATA");
        return delivered(bob.receive(datagram, from));
    }

    /** {@code receiveOrDefer} with no key id held. */
    static Object receiveOrDefer(Context<String> bob, byte[] datagram, Remote from) {
        return delivered(bob.receiveOrDefer(datagram, 0, datagram.length, from, NOTHING_HELD));
    }

    private static Object delivered(Object r) { // Object: the old engine's Received is no Triage
        if (!(r instanceof Event.Data<?>)) throw new IllegalStateException("not delivered: " + r);
        return r;
    }
}
