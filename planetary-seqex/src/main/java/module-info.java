/**
 * SEQEX (Sequential Exchange): exactly-once, optionally ordered delivery with request/reply pairing
 * over any unreliable datagram carrier, typically a ZSSP session.
 *
 * <p>Only {@code dev.planetary.seqex} is exported. See {@code docs/seqex.md}.
 */
module dev.planetary.seqex {
    requires transitive dev.planetary.zssp;

    exports dev.planetary.seqex;
}
