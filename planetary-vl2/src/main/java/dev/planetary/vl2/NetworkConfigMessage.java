package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Pso;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;

/**
 * NETWORK_CONFIG ({@code 0x0c}, §7.3): {@code 0x0c ‖ u64 nwid ‖ u8 flags (bit0 unsolicited push) ‖ u32 L
 * ‖ NetworkConfig PSO}, L = 162..49,122. The PSO is carried as bytes; {@link #config()} parses it and
 * {@link NetworkConfig#verify} checks it. Reserved flag bits are kept as read.
 */
public record NetworkConfigMessage(NetworkId networkId, int flags, Bytes pso) implements Vl2Message {
    public static final int UNSOLICITED = 0x01;

    public NetworkConfigMessage {
        Codec.nonNull(networkId, "network id");
        Codec.requireRange(flags, 0, 0xff, "NETWORK_CONFIG flags");
        Codec.nonNull(pso, "config PSO");
        Codec.requireRange(pso.length(), Pso.MIN_SIZE, Pso.MAX_SIZE, "config PSO length");
    }

    /** The message carrying {@code config}, as a reply ({@code unsolicited} false) or a push. */
    public static NetworkConfigMessage of(Signed<NetworkConfig> config, boolean unsolicited) {
        return new NetworkConfigMessage(config.value().networkId(), unsolicited ? UNSOLICITED : 0, Bytes.of(config.encoded()));
    }

    public boolean unsolicited() {
        return (flags & UNSOLICITED) != 0;
    }

    /** Structure and field rules of the carried config (no issuer or signature check). */
    public Decoded<Signed<NetworkConfig>> config() {
        return NetworkConfig.parse(pso.toArray());
    }

    @Override
    public int verb() {
        return Verb.NETWORK_CONFIG;
    }

    @Override
    public byte[] encode() {
        return new Codec.Out(14 + pso.length()).u8(verb()).u64(networkId.value()).u8(flags).u32(pso.length()).put(pso).toByteArray();
    }

    public static Decoded<NetworkConfigMessage> decode(byte[] b) {
        return Codec.decode(b, in -> {
            Vl2Codec.expectVerb(in, Verb.NETWORK_CONFIG);
            NetworkId nwid = Codec.networkId(in);
            int flags = Codec.u8(in);
            long len = Codec.u32(in);
            if (len != in.remaining()) throw Codec.bad("PSO length " + len + " does not match the " + in.remaining() + " bytes left");
            return new NetworkConfigMessage(nwid, flags, Bytes.of(Codec.rest(in)));
        });
    }
}
