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
        long droppedClosedChannel) {}
