package dev.planetary.vl2;

import dev.planetary.nic.NetworkId;

/**
 * One VL2 message: a VL1 message {@code verb (u8) ‖ body} of a VL2 verb (§3.4). Records are
 * immutable and their constructors enforce the field rules, so a message that exists can be encoded;
 * every type has a static {@code decode(byte[])} returning {@link dev.planetary.identity.Decoded},
 * which never throws on hostile bytes. {@link Vl2Codec#decode} dispatches on the verb.
 */
public sealed interface Vl2Message permits NetworkConfigRequest, NetworkConfigMessage, NetworkCredentials, Frame, ExtFrame,
        MulticastLike, MulticastGather, MulticastFrame {

    /** The verb byte (§3.4). */
    int verb();

    /** The network the message is about. */
    NetworkId networkId();

    /** The wire form (≤ {@link dev.planetary.vl1.Vl1Limits#MAX_VL1_MESSAGE} bytes). */
    byte[] encode();
}
