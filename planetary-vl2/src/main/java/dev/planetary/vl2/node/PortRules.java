package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkPort;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.rules.FrameFields;
import dev.planetary.vl2.rules.InvalidRulesException;
import dev.planetary.vl2.rules.RuleSet;
import dev.planetary.vl2.rules.Rules;
import dev.planetary.vl2.rules.Subject;
import dev.planetary.vl2.rules.Verdict;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One joined network's rules at a member (VL.md §11.4), the {@link NetworkPort.Filter} of its port:
 * outbound with the own credential as the sender's, inbound with the sender's credential (its tags and
 * grants), each decision counted by direction and {@link Verdict}. The config's rules and the own
 * credential are replaced by {@link #update} (a new config or MC takes effect on the next frame);
 * the credentials of peers are remembered per address as the gate passes them ({@link #subject}), so
 * outbound evaluation knows the receiver's tags once the receiver presented its MC (before that they
 * take the defaults; the receiver's inbound evaluation, whose inputs are all signed, is authoritative).
 *
 * <p>Thread-safe: the NIC's reader thread evaluates outbound, the node's thread inbound.
 * {@link #permits} is the hook for the multicast path (§10.4 step 2, §10.7 "as S").
 */
public final class PortRules implements NetworkPort.Filter {
    /** Peer credentials remembered per network (all forgotten when full: they are re-learnt from the next frame). */
    public static final int MAX_SUBJECTS = 4096;

    private record State(RuleSet rules, Subject self) {}

    private record Known(MemberCredential mc, Subject subject) {}

    private static final ThreadLocal<FrameFields> FIELDS = ThreadLocal.withInitial(FrameFields::new);

    private volatile State state;
    private final Map<Long, Known> subjects = new ConcurrentHashMap<>();
    private final Map<Verdict, AtomicLong> outbound = new EnumMap<>(Verdict.class), inbound = new EnumMap<>(Verdict.class);
    private final AtomicLong invalid = new AtomicLong();

    /** The rules of {@code config}, evaluated with {@code own} as this member's credential. */
    public PortRules(NetworkConfig config, MemberCredential own) {
        for (Verdict v : Verdict.values()) {
            outbound.put(v, new AtomicLong());
            inbound.put(v, new AtomicLong());
        }
        update(config, own);
    }

    /**
     * A new config or own credential (§7.6). A config whose rules version 1 cannot evaluate (which a
     * member refuses before it gets here, §7.6 step 2) makes every frame drop: fail closed, counted by
     * {@link #invalidConfigs}.
     */
    public void update(NetworkConfig config, MemberCredential own) {
        Subject self = Subject.of(own);
        try {
            state = new State(RuleSet.of(config), self);
        } catch (InvalidRulesException e) {
            invalid.incrementAndGet();
            state = new State(null, self);
        }
    }

    /** The rules input of {@code mc}'s member, remembered by its address for the outbound path (built once per credential). */
    public Subject subject(MemberCredential mc) {
        long address = mc.issuedToAddress().value();
        Known k = subjects.get(address);
        if (k == null || k.mc() != mc) {
            k = new Known(mc, Subject.of(mc));
            remember(address, k);
        }
        return k.subject();
    }

    /** The remembered rules input of member {@code address}, else an unknown one (tags at the defaults), remembered until the gate passes its MC. */
    private Subject known(long address) {
        Known k = subjects.get(address);
        if (k == null) {
            k = new Known(null, Subject.unknown(new Address(address)));
            remember(address, k);
        }
        return k.subject();
    }

    private void remember(long address, Known k) {
        if (subjects.size() >= MAX_SUBJECTS) subjects.clear();
        subjects.put(address, k);
    }

    @Override
    public boolean outbound(long receiver, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
        State s = state;
        return permits(false, s.self(), receiver == NetworkPort.NO_RECEIVER ? null : known(receiver), dst, src, ethertype, payload);
    }

    @Override
    public boolean inbound(NetworkPort.Peer sender, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
        Subject from = sender.rulesInput() instanceof Subject x ? x : known(sender.address());
        return permits(true, from, state.self(), dst, src, ethertype, payload);
    }

    /**
     * §11.4 on one frame, counted: {@code sender} sends to {@code receiver} (null: a multicast frame
     * outbound, no receiver); at the receiver when {@code inbound}. The multicast path calls this with
     * the own subject ({@link #self}) outbound, and a replicator with the origin's subject as sender
     * (§10.7 "as S"). Never throws on content.
     */
    public boolean permits(boolean inbound, Subject sender, Subject receiver, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
        RuleSet rules = state.rules();
        Verdict v = rules == null ? Verdict.DROPPED
                : Rules.decide(rules, FIELDS.get().parse(dst.value(), src.value(), ethertype, payload), inbound, sender, receiver);
        (inbound ? this.inbound : this.outbound).get(v).incrementAndGet();
        return v.accepted();
    }

    /** This member's own rules input (its current credential). */
    public Subject self() {
        return state.self();
    }

    /** Decisions made in a direction with verdict {@code v}. */
    public long decisions(boolean inbound, Verdict v) {
        return (inbound ? this.inbound : this.outbound).get(v).get();
    }

    /** Configs whose rules could not be evaluated (every frame dropped while one is in force). */
    public long invalidConfigs() {
        return invalid.get();
    }
}
