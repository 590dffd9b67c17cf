package dev.planetary.bench;

import dev.planetary.zssp.internal.EngineAccess;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Received;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ONE session driven from several threads at once: each thread encrypts DATA packets with
 * {@code Session.send} and has the peer decrypt them with {@code Context.receive}. Throughput mode;
 * compare {@code twoThreads} with {@code oneThread} (target: ≥ 1.8×, the protocol allows sending and
 * receiving on a session in parallel).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OneSessionManyThreadsBench {
    private LoopbackPair pair;
    private CaptureRemote capture;
    private final byte[] payload = new byte[1400];

    @Setup(Level.Trial)
    public void setup() throws Exception {
        pair = new LoopbackPair(1500);
        pair.handshake();
        capture = new CaptureRemote(1500);
        EngineAccess.setRemote(pair.aliceSession, capture);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("window drops (reordering beyond 128 packets between threads): " + windowDrops.sum());
        pair.close();
    }

    /** Packets the window refused: a thread stalled for more than 128 of the other's packets (§7.8). */
    private final java.util.concurrent.atomic.LongAdder windowDrops = new java.util.concurrent.atomic.LongAdder();

    private Object sendReceive() {
        pair.aliceSession.send(payload);
        Received<String> r = pair.bob.receive(capture.last(), capture);
        if (!(r instanceof Event.Data<String>)) {
            if (r instanceof Received.Dropped<String> d && d.fault() == dev.planetary.zssp.Fault.EXPIRED_COUNTER) windowDrops.increment();
            else throw new IllegalStateException("not delivered: " + r);
        }
        return r;
    }

    @Benchmark
    @Threads(1)
    public Object oneThread() {
        return sendReceive();
    }

    @Benchmark
    @Threads(2)
    public Object twoThreads() {
        return sendReceive();
    }
}
