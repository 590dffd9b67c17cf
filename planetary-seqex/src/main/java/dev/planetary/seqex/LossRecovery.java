package dev.planetary.seqex;

import dev.planetary.seqex.SeqexCore.Chan;
import dev.planetary.seqex.SeqexCore.SendEntry;

/**
 * Loss detection and recovery of a {@link SeqexCore} (docs/seqex.md §3), beside its flow and
 * congestion control: RACK's time-based rule and reorder timer (RFC 8985 §6) with DupThresh, the
 * tail loss probe (RFC 8985 §7), the resend timeout with F-RTO (RFC 5682), and undoing a reduction
 * that proved spurious (RFC 4015; D-SACK's evidence, RFC 3708). The state stays in the core's
 * channels; the counters surface in the core's {@link Stats}. Not thread-safe, like the core.
 */
final class LossRecovery {
    /**
     * The smallest RACK reorder window in clock ticks (RFC 8985 §6.2 step 4 uses min_RTT/4): two ticks
     * of a millisecond clock are at least one millisecond of real time.
     */
    static final long MIN_REORDER_WINDOW = 2;
    /** Spurious early resends widen a channel's reorder window up to this many times its floor (RFC 8985 §6.2 step 4 bounds it by SRTT; a millisecond clock needs the floor). */
    static final int MAX_REORDER_MULTIPLIER = 4;
    /** The tail loss probe waits at least minRto / this (10 ms at the 50 ms default). */
    static final long PTO_MIN_DIVISOR = 5;

    private final SeqexCore core;
    private final SeqexConfig config;
    long earlyRetransmits, timeoutRetransmits, tailLossProbes, spuriousTimeouts, spuriousRetransmits, congestionReductions;

    LossRecovery(SeqexCore core) {
        this.core = core;
        this.config = core.config();
    }

    /**
     * Tail loss probe timeout (RFC 8985 §7.2): two SRTT plus the peer's ACK delay (assumed to be ours:
     * both ends of an application run one configuration) and one clock tick, but at least {@link
     * #PTO_MIN_DIVISOR 1/5} of {@code minRto} (on a sub-millisecond path two SRTT are below the
     * scheduling jitter of a loaded host, and every early probe is a duplicate packet); none before
     * the first RTT sample or where it would not come before the resend timeout.
     */
    void armProbe(Chan c, long now) {
        long pto = core.srtt() < 0 ? Long.MAX_VALUE : Math.max(config.minRtoMillis() / PTO_MIN_DIVISOR, 2 * Math.max(1, core.srtt()) + config.ackDelayMillis() + 1);
        c.tlpDue = pto < core.rto() ? now + pto : Long.MAX_VALUE;
        core.hint(c.tlpDue);
    }

    /**
     * Loss detection, a sender-local rule: when a packet sent once is acknowledged, every
     * unacknowledged packet before it on the channel is presumed lost and resent now, instead of
     * waiting for its resend timer, if its latest transmission happened at least a reorder window
     * before the acknowledged one's (time-based, in the spirit of RACK, RFC 8985) or if the channel's
     * DupThresh ({@link SeqexCore#DUP_THRESH}, raised by reordering seen) packets sent after its latest
     * transmission have been acknowledged (RFC 5681 §3.2, RFC 6675: the rule that still works when a
     * millisecond clock cannot tell the packets of one flight apart). Requests are left to their timers (their answer waits for the peer's
     * application). A presumed loss that was only reordering costs a duplicate, which the receiver
     * acknowledges and discards.
     */
    void earlyRetransmit(Chan c, SendEntry acked, long now) {
        long reorderWindow = core.srtt() < 0 ? config.minRtoMillis() : Math.max(MIN_REORDER_WINDOW * c.reorderMultiplier, core.srtt() / 4);
        for (int i = 0, n = acked.seq - c.sendBase; i < n; i++) {
            SendEntry e = c.sent[(c.sendHead + i) % c.sent.length];
            if (e == null || e.expectReply || acked.txOrder < e.txOrder) continue;
            // A resent (e.g. probed) packet's ACK may be for its first transmission: it proves only the
            // loss of packets sent once, before that first transmission (RFC 8985 §6.2 step 2's caution).
            if (acked.transmits > 1 && e.transmits > 1) continue;
            long sentBefore = (acked.transmits > 1 ? acked.firstSent : acked.lastSent) - e.lastSent; // the earliest it may have left
            if (sentBefore < reorderWindow && ++e.laterAcked < c.dupThresh) {
                // RACK's reorder timer (RFC 8985 §6.3): lost unless acknowledged within a reorder window
                // of the later packet's delivery; at small windows no three later ACKs may ever come
                long due = now + (reorderWindow - sentBefore);
                if (due - e.deadline < 0) {
                    e.deadline = due;
                    e.rack = true;
                    core.hint(due);
                }
                continue;
            }
            lost(c, e, now, true);
        }
    }

    void lost(Chan c, SendEntry e, long now, boolean congestionEvent) {
        earlyRetransmits++;
        if (congestionEvent && config.congestionControl() && !(c.inRecovery && Seq.before(e.seq, c.recover))) {
            // §3 congestion control: one reduction per window of data (RFC 6582 §3.2), by CUBIC's β (RFC 9438 §4.6)
            // a loss of data sent during a recovery reduces from that recovery's ssthresh, not from PRR's
            // passing window (what is in flight may have drained far below it)
            if (c.inRecovery) c.cwnd = Math.max(c.cwnd, c.ssthresh);
            saveForUndo(c); // in case every resend of this recovery proves spurious (undoSpurious)
            c.episodeResends = 0;
            c.episodeSpurious = 0;
            SeqexCore.reduce(c);
            congestionReductions++;
            // Proportional Rate Reduction (RFC 6937 §3): the window falls to ssthresh over the recovery,
            // one send per acknowledgement in ssthresh/RecoverFS, instead of at once (which stalls the
            // sender for a third of a window and then releases a burst)
            c.prrDelivered = 0;
            c.prrOut = 0;
            c.recoverFs = Math.max(1, c.inFlight);
            c.cwnd = Math.min(c.cwnd, c.inFlight); // nothing new until an acknowledgement clocks it out
            c.inRecovery = true;
            c.recover = c.sendNext;
        }
        if (c.inRecovery) {
            if (c.episodeResends < c.episodeSeqs.length) c.episodeSeqs[c.episodeResends] = e.seq;
            c.episodeResends++;
            c.prrOut++;
        }
        core.resend(e, now, core.rto());
    }

    /**
     * A selective ACK for a packet no longer in flight: the receiver got it twice. If it is one this
     * recovery resent early, the resend was spurious (the original was only reordered), as a D-SACK
     * would tell (RFC 3708): the channel's reorder window widens (RFC 8985 §6.2 step 4), and once
     * every early resend of the recovery proved spurious, its window reduction is undone (as for
     * D-SACK in Linux's undo; RFC 4015's response).
     */
    void undoSpurious(Chan c, int seq) {
        if (c.episodeResends == 0 || c.episodeResends > c.episodeSeqs.length) return; // also after the recovery ended, until the next reduction
        for (int i = 0; i < c.episodeResends; i++) {
            if (c.episodeSeqs[i] != seq) continue;
            c.episodeSeqs[i] = c.recover; // counted once (recover is never a resent sequence number of the episode)
            c.reorderMultiplier = Math.min(MAX_REORDER_MULTIPLIER, c.reorderMultiplier + 1);
            if (++c.episodeSpurious == c.episodeResends) {
                spuriousRetransmits++;
                c.episodeResends = 0; // undone once
                undo(c);
                c.inRecovery = false;
            }
            return;
        }
    }

    /**
     * The F-RTO verdict (RFC 5682 §2.1, sender-local) on the first ACK after a resend timeout: if it
     * acknowledges a packet last sent before the timeout, the packets were not lost, only their ACKs
     * late — the timeout was spurious and the window before it is restored (RFC 4015's response); if it
     * acknowledges only the resend or later packets, the timeout was real and every packet sent before
     * it that is still unacknowledged is resent now (in slow start, without a second reduction).
     */
    void frtoVerdict(Chan c, long now) {
        if (!c.frto || !(c.frtoOriginal || c.frtoOther)) return;
        c.frto = false;
        if (c.frtoOriginal) {
            spuriousTimeouts++;
            undo(c);
        } else {
            for (int k = 0, n = c.sendNext - c.sendBase; k < n; k++) {
                SendEntry e = c.sent[(c.sendHead + k) % c.sent.length];
                if (e != null && !e.expectReply && e.txOrder < c.frtoTx) lost(c, e, now, false);
            }
        }
        c.frtoOriginal = c.frtoOther = false;
    }

    /**
     * The probe timeout passed with no ACK (RFC 8985 §7.3): resend the newest packet that is not a
     * request, once until an ACK arrives. Its ACK lets RACK find any earlier loss, so a lost tail of a
     * flight costs a fast-recovery reduction instead of a resend timeout's fall to one packet.
     */
    void tailLossProbe(Chan c, long now) {
        c.tlpDue = Long.MAX_VALUE;
        if (c.tlpOut) return;
        for (int i = c.sendNext - c.sendBase - 1; i >= 0; i--) {
            SendEntry e = c.sent[(c.sendHead + i) % c.sent.length];
            if (e == null || e.expectReply) continue;
            c.tlpOut = true;
            tailLossProbes++;
            core.resend(e, now, core.rto());
            return;
        }
    }

    /** Remembers the window a reduction is about to cut, for {@link #undo}. */
    private static void saveForUndo(Chan c) {
        c.undoCwnd = c.cwnd;
        c.undoSsthresh = c.ssthresh;
        c.undoWMax = c.wMax;
    }

    /** A reduction proved spurious (RFC 4015's response): the window before it, as {@link #saveForUndo} kept it. */
    private static void undo(Chan c) {
        c.cwnd = Math.min(c.sendLimit, Math.max(c.cwnd, c.undoCwnd));
        c.ssthresh = c.undoSsthresh;
        c.wMax = c.undoWMax;
        c.epochStart = -1;
    }

    /** The channel's loss timers (service): the tail loss probe, RACK's reorder timers, the resend timeout with F-RTO. */
    void onTimers(Chan c, long now) {
        if (c.tlpDue - now <= 0) tailLossProbe(c, now);
        boolean timedOut = false;
        boolean frtoStarted = false;
        for (int k = 0, n = c.sendNext - c.sendBase; k < n; k++) { // in sequence order: the oldest first
            SendEntry e = c.sent[(c.sendHead + k) % c.sent.length];
            if (e == null || e.deadline - now > 0) continue;
            if (e.rack) { // RACK's reorder timer expired: lost, not a timeout (RFC 8985 §6.3)
                lost(c, e, now, true);
                continue;
            }
            if (frtoStarted && !e.expectReply) {
                // F-RTO (RFC 5682): only the oldest is resent until an ACK tells a spurious timeout from a loss
                e.deadline = now + core.backoff(e.transmits);
                continue;
            }
            if (!timedOut && config.congestionControl() && !e.expectReply) {
                // a resend timeout: back to one packet (RFC 5681 §3.1, RFC 9438 §4.8); requests wait for the peer's application, not the path
                if (!c.frto) { // remember the window, to undo the reduction if the timeout proves spurious (RFC 5682 §3, RFC 4015)
                    c.frto = frtoStarted = true;
                    c.frtoTx = core.nextTxOrder(); // the order of the resend below
                    saveForUndo(c);
                } else {
                    c.frto = false; // a second timeout before any ACK: no verdict, a plain timeout
                }
                SeqexCore.reduce(c);
                c.cwnd = 1;
                c.inRecovery = false;
                c.episodeResends = 0; // an earlier recovery's reduction is no longer the one to undo
                timedOut = true;
            }
            timeoutRetransmits++;
            core.resend(e, now, core.backoff(e.transmits));
        }
    }
}
