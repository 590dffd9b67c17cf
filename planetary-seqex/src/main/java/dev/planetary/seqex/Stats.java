package dev.planetary.seqex;

/**
 * Counters of one endpoint (a snapshot). Drops of hostile or malformed input are counted here and
 * never surface as exceptions.
 *
 * @param packetsIn       datagrams handed to receive
 * @param packetsOut      datagrams handed to the carrier (first sends, resends and acks)
 * @param delivered       payloads and replies delivered to the application
 * @param retransmits     resends of unacknowledged packets (timer and early together)
 * @param earlyRetransmits resends before the timer: a later packet was acknowledged first (presumed loss)
 * @param duplicates      data packets received again (re-acked or answered by resending a reply)
 * @param malformed       undecodable packets, acks of requests, unknown channels, unpaired replies
 * @param outOfWindow     data packets outside {@code [next - window, next + window)}
 * @param droppedNoSpace  payloads dropped unacked because the channel's receive buffer was full
 * @param staleAcks       acks for sequence numbers not (or no longer) in flight
 * @param internalErrors  unexpected exceptions caught in the receive path (should stay 0)
 * @param carrierErrors   exceptions thrown by the carrier (treated as loss)
 * @param droppedClosedChannel new payloads dropped unacked on a channel the application has not opened
 *                        ({@link SeqexCore#restrict})
 * @param timeoutRetransmits resends by the resend timer (RTO expired; with congestion control the
 *                        window falls to one packet)
 * @param tailLossProbes  resends of a flight's newest packet by the probe timeout (RFC 8985 §7), so a
 *                        lost tail is found by an acknowledgement instead of the resend timer
 * @param windowProbes    payloads sent beyond the peer's advertised receive window because nothing
 *                        was in flight for a resend timeout (zero-window probes, docs/seqex.md §4)
 * @param windowUpdates   acknowledgements sent only to advertise a receive window that opened up
 * @param cwndLimitedMillis    time channels could send no payload because the congestion window was
 *                        full (from the send that filled it to the acknowledgement that freed it)
 * @param receiverLimitedMillis the same because of the receiver's buffer (its announced limit or its
 *                        advertised receive window)
 * @param spuriousTimeouts resend timeouts found spurious by F-RTO (RFC 5682: the first ACK after it
 *                        acknowledged a packet sent before it) and whose window reduction was undone
 * @param spuriousRetransmits recoveries whose early resends all proved spurious (the receiver
 *                        acknowledged each a second time: the original was only reordered) and whose
 *                        window reduction was undone
 * @param congestionReductions window reductions by β on losses found early (one per recovery, RFC
 *                        6582 §3.2; those later undone included)
 * @param sendLimitedMillis time channels could send no payload because of the in-flight cap (the
 *                        sequence window or {@link SeqexCore#limitSend}), the congestion window being
 *                        at that cap or above what is in flight
 * @param minRttMillis    the smallest round-trip sample, -1 before the first
 * @param srttMillis      the smoothed round-trip time now (RFC 6298), -1 before the first sample
 * @param meanCwnd        the congestion window in packets, averaged over every acknowledged packet
 *                        (0 before the first)
 * @param meanInFlight    the packets in flight on the acknowledged packet's channel when it was
 *                        acknowledged, averaged likewise
 */
public record Stats(
        long packetsIn,
        long packetsOut,
        long delivered,
        long retransmits,
        long earlyRetransmits,
        long duplicates,
        long malformed,
        long outOfWindow,
        long droppedNoSpace,
        long staleAcks,
        long internalErrors,
        long carrierErrors,
        long droppedClosedChannel,
        long timeoutRetransmits,
        long tailLossProbes,
        long windowProbes,
        long windowUpdates,
        long cwndLimitedMillis,
        long receiverLimitedMillis,
        long spuriousTimeouts,
        long spuriousRetransmits,
        long congestionReductions,
        long sendLimitedMillis,
        long minRttMillis,
        long srttMillis,
        double meanCwnd,
        double meanInFlight) {}
