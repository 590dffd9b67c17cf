package dev.planetary.bench;

import dev.planetary.identity.Address;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.Tag;
import dev.planetary.vl2.TagDefinition;
import dev.planetary.vl2.rules.FrameFields;
import dev.planetary.vl2.rules.RuleBuilder;
import dev.planetary.vl2.rules.RuleSet;
import dev.planetary.vl2.rules.RuleType;
import dev.planetary.vl2.rules.Rules;
import dev.planetary.vl2.rules.Subject;
import dev.planetary.vl2.rules.TcpSyn;
import dev.planetary.vl2.rules.Verdict;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The rules engine (VL.md §11, issue 17 target ≤ 1 µs per frame for a 64-entry rule list): a
 * 64-entry base list built so that every one of its 63 matches is tested (16 conjunctions of three
 * matches, the first two true and the last false, each closed by DROP, the last by ACCEPT), over
 * the match types a policy uses (ethertype, protocol, ports, IPv4 prefix, TCP flags, tags, MACs,
 * TOS, frame size), on an IPv4 TCP SYN. {@code decide}: the decision on a parsed frame;
 * {@code parseAndDecide}: the per-frame cost on the data plane (parse, then decide).
 *
 * <p>On a shared machine JMH's wall-clock scores mean little; {@link #main} measures the same two
 * operations in CPU time (ThreadMXBean) instead, with the bytes the thread allocated (§11.7: none):
 * <pre>java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.RulesBench [seconds=5]</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RulesBench {
    static final NetworkId NWID = new NetworkId(0x8056c2e21c000001L);
    static final long S = 0x1122334455L, R = 0x66778899aaL;

    private RuleSet rules;
    private Subject sender, receiver;
    private final FrameFields fields = new FrameFields();
    private ByteBuffer payload;
    private long dst, src;

    @Setup
    public void setup() throws UnknownHostException {
        RuleBuilder b = new RuleBuilder();
        for (int g = 0; g < 15; g++) {
            switch (g % 5) {
                case 0 -> b.etherType(0x0800).ipProtocol(6).destPorts(1000 + g, 1000 + g);
                case 1 -> b.ipv4Source((Inet4Address) InetAddress.getByName("10.0.0.0"), 8).characteristics(RuleType.TCP_SYN).tagSender(1, g);
                case 2 -> b.tags(RuleType.MATCH_TAGS_DIFFERENCE, 2, 5).macDest(MacAddress.derive(NWID, R).value()).sourcePorts(1, 100);
                case 3 -> b.ipTos(0xfc, 0, 0x40).frameSize(20, 1500).ipv4Dest((Inet4Address) InetAddress.getByName("192.168.0.0"), 16);
                default -> b.not().ipProtocol(17).sourceAddress(S).tagReceiver(3, 99);
            }
            b.drop();
        }
        b.etherType(0x0800).ipProtocol(6).destPorts(22, 22).accept();
        if (b.size() != 64) throw new IllegalStateException("the list has " + b.size() + " entries, not 64");
        rules = RuleSet.of(NWID, b.build(), List.of(), List.of(new TagDefinition(1, 0, "role"), new TagDefinition(2, 7, "level")));
        sender = Subject.of(new Address(S), List.of(new Tag(1, 42), new Tag(2, 9)), List.of(),
                List.of(AssignedAddress.of(new IpAssignment(InetAddress.getByName("10.0.0.1"), 24))));
        receiver = Subject.of(new Address(R), List.of(new Tag(2, 6), new Tag(3, 1)), List.of(), List.of());
        dst = MacAddress.derive(NWID, R).value();
        src = MacAddress.derive(NWID, S).value();
        payload = TcpSyn.payload(InetAddress.getByName("10.0.0.1"), 40000, InetAddress.getByName("10.0.0.2"), 22);
        fields.parse(dst, src, 0x0800, payload);
        if (Rules.decide(rules, fields, false, sender, receiver) != Verdict.ACCEPTED) throw new IllegalStateException("the SYN must reach the last ACCEPT");
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        RulesBench b = new RulesBench();
        b.setup();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (String op : List.of("decide", "parseAndDecide")) {
            Runnable r = op.equals("decide") ? b::decide : b::parseAndDecide;
            long[] result = new long[3];
            for (int phase = 0; phase < 2; phase++) { // warm-up, then measured
                long cpu0 = mx.getCurrentThreadCpuTime(), alloc0 = mx.getCurrentThreadAllocatedBytes(), wall0 = System.nanoTime(), n = 0;
                long end = wall0 + (phase == 0 ? 2L : seconds) * 1_000_000_000L;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 10_000; i++) r.run();
                    n += 10_000;
                }
                result[0] = n;
                result[1] = mx.getCurrentThreadCpuTime() - cpu0;
                result[2] = mx.getCurrentThreadAllocatedBytes() - alloc0;
            }
            System.out.printf("%-15s %,d ops, %.1f ns CPU per op, %,d bytes allocated in all%n", op, result[0], (double) result[1] / result[0], result[2]);
        }
    }

    @Benchmark
    public Verdict decide() {
        return Rules.decide(rules, fields, false, sender, receiver);
    }

    @Benchmark
    public Verdict parseAndDecide() {
        return Rules.decide(rules, fields.parse(dst, src, 0x0800, payload), true, sender, receiver);
    }
}
