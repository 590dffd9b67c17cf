package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Properties of the codec over random messages: round trips, every truncation and random bit flips
 * decode to a defined result (never an exception, never the decoder's internal-error path), anything
 * that decodes is canonical (re-encodes to the same bytes), and the size limits hold.
 */
class Vl1CodecPropertyTest {
    static final int SEEDS = Boolean.getBoolean("planetary.long") ? 200 : 20;
    static final int PER_SEED = 200;

    /** Decodes {@code b}; asserts the result is defined and, if a message, canonical. */
    static Decoded decodeChecked(byte[] b) {
        Decoded d = Vl1Codec.decode(b);
        if (d instanceof Decoded.Malformed m) {
            assertFalse(m.reason().startsWith("internal error"), () -> "decoder bug on " + Bytes.of(b) + ": " + m.reason());
            assertEquals(b.length == 0 ? -1 : b[0] & 0xff, m.verb());
        }
        if (d instanceof Decoded.Message m) assertArrayEquals(b, m.message().encode(), () -> "not canonical: " + m.message());
        return d;
    }

    @Test
    void randomMessagesRoundTrip() {
        for (long s = 1; s <= SEEDS; s++) {
            long seed = s;
            RandomMessages g = new RandomMessages(seed);
            for (int i = 0; i < PER_SEED; i++) {
                Vl1Message m = g.any();
                byte[] b = m.encode();
                assertEquals(m.verb(), b[0] & 0xff);
                Decoded d = decodeChecked(b);
                Decoded.Message got = assertInstanceOf(Decoded.Message.class, d, () -> "seed " + seed + ": " + m + " -> " + d);
                assertEquals(m, got.message(), "seed " + seed);
            }
        }
    }

    @Test
    void everyTruncationDecodesToADefinedResult() {
        int malformed = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            RandomMessages g = new RandomMessages(seed * 7919);
            for (int i = 0; i < 40; i++) {
                byte[] b = g.any().encode();
                for (int len = 0; len < b.length; len++) {
                    byte[] prefix = java.util.Arrays.copyOf(b, len);
                    if (decodeChecked(prefix) instanceof Decoded.Malformed) malformed++;
                }
            }
        }
        assertTrue(malformed > 0, "truncations must be refused for fixed layouts");
    }

    @Test
    void randomBitFlipsDecodeToADefinedResult() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (long seed = 1; seed <= SEEDS; seed++) {
            RandomMessages g = new RandomMessages(seed * 104729);
            for (int i = 0; i < PER_SEED; i++) {
                byte[] b = g.any().encode();
                int flips = 1 + rnd.nextInt(4);
                for (int f = 0; f < flips; f++) b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                decodeChecked(b);
            }
        }
    }

    @Test
    void randomBytesDecodeToADefinedResult() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(64)];
            rnd.nextBytes(b);
            if (b.length > 0 && rnd.nextBoolean()) b[0] = (byte) new int[] {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x10, 0x14, 0x18, 0x19, 0x1a, 0x1b}[rnd.nextInt(13)];
            decodeChecked(b);
        }
    }

    @Test
    void sizeLimits() {
        int room = Vl1Limits.MAX_VL1_MESSAGE - 9;
        byte[] max = new UserMessage(1 << 20, Bytes.of(new byte[room])).encode();
        assertEquals(Vl1Limits.MAX_VL1_MESSAGE, max.length);
        assertInstanceOf(Decoded.Message.class, Vl1Codec.decode(max));
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> new UserMessage(1, Bytes.of(new byte[room + 1])).encode());
        assertTrue(tooBig.getMessage().contains("MAX_VL1_MESSAGE"));
        byte[] over = new byte[Vl1Limits.MAX_VL1_MESSAGE + 1];
        over[0] = Verb.NOP;
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(over), "a NOP of 49,153 bytes is too big");
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(new byte[0]));
    }

    @Test
    void countsAndRangesAreEnforcedOnTheWire() {
        RandomMessages g = new RandomMessages(3);
        // WHOIS with n = 0 and n = 33
        byte[] whois = new Whois(5, g.addresses(32, 32)).encode();
        whois[5] = 0;
        assertMalformed(java.util.Arrays.copyOf(whois, 6), "n = 0");
        byte[] w33 = java.util.Arrays.copyOf(whois, whois.length + 5);
        w33[5] = 33;
        g.address().write(w33, whois.length);
        assertMalformed(w33, "n = 33");
        assertThrows(IllegalArgumentException.class, () -> new Whois(5, g.addresses(33, 33)));
        assertThrows(IllegalArgumentException.class, () -> new Whois(5, List.of()));
        // request id 0 means "no request": not a request
        byte[] echo = new Echo(1, 0, 0).encode();
        echo[4] = 0;
        assertMalformed(echo, "request id 0");
        // RELAY datagram bounds and reserved bits
        Relay relay = new Relay(1, g.address(), g.address(), Bytes.of(new byte[32]));
        byte[] r = relay.encode();
        assertMalformed(java.util.Arrays.copyOf(r, r.length - 1), "31-byte datagram");
        byte[] big = new byte[12 + 1189];
        System.arraycopy(r, 0, big, 0, 12);
        assertMalformed(big, "1189-byte datagram");
        assertEquals(relay.destination(), Vl1Codec.peekRelayDestination(big, 0, big.length), "the destination of an oversized RELAY is still readable for RELAY_DENIED reason 4");
        byte[] reserved = r.clone();
        reserved[1] |= 0x08;
        assertMalformed(reserved, "reserved hop bits");
        // RELAY_BLOCK ttl
        byte[] block = new RelayBlock(g.address(), 3600).encode();
        block[6] = 0x0e;
        block[7] = 0x11; // 3601
        assertMalformed(block, "ttl 3601");
        // invalid addresses
        byte[] ff = new RelayBlock(g.address(), 1).encode();
        ff[1] = (byte) 0xff;
        assertMalformed(ff, "address starting 0xff");
        byte[] zero = new RelayBlock(g.address(), 1).encode();
        java.util.Arrays.fill(zero, 1, 6, (byte) 0);
        assertMalformed(zero, "address 0");
        // OK(WHOIS) with 33 records is refused before allocating
        byte[] okw = {Verb.OK, Verb.WHOIS, 0, 0, 0, 1, 33};
        assertMalformed(okw, "33 records");
        // trailing bytes after a fixed layout
        byte[] trailing = java.util.Arrays.copyOf(new Echo(1, 0, 0).encode(), 15);
        assertMalformed(trailing, "trailing byte");
        // RENDEZVOUS with 0 or 5 endpoints, PUSH_DIRECT_PATHS with 0 or 17 paths
        assertMalformed(java.util.Arrays.copyOf(new byte[] {Verb.RENDEZVOUS, 0, 1, 2, 3, 4, 5, 0}, 8), "0 endpoints");
        byte[] rv = new Rendezvous(0, g.address(), List.of(Endpoint.NONE, Endpoint.NONE, Endpoint.NONE, Endpoint.NONE)).encode();
        rv[7] = 5;
        assertMalformed(java.util.Arrays.copyOf(rv, rv.length + 2), "5 endpoints");
        assertMalformed(new byte[] {Verb.PUSH_DIRECT_PATHS, 0}, "0 paths");
        byte[] pdp = new byte[2 + 17 * 3];
        pdp[0] = Verb.PUSH_DIRECT_PATHS;
        pdp[1] = 17;
        assertMalformed(pdp, "17 paths");
        pdp[1] = 16;
        assertInstanceOf(Decoded.Message.class, Vl1Codec.decode(java.util.Arrays.copyOf(pdp, 2 + 16 * 3)), "16 paths of type none");
        // an empty ROOT_SET
        assertMalformed(new byte[] {Verb.ROOT_SET}, "empty root set");
    }

    @Test
    void unknownAndForeignVerbsAreUnsupported() {
        for (int v : new int[] {0x0f, 0x11, 0x1d, 0x1f, 0xff, Verb.FRAME, Verb.SEQEX, Verb.PORT_FORWARD, Verb.MULTICAST_GATHER}) {
            Decoded d = Vl1Codec.decode(new byte[] {(byte) v, 1, 2, 3});
            assertEquals(v, assertInstanceOf(Decoded.Unsupported.class, d).verb());
        }
        ErrorMessage e = ErrorMessage.unsupported(0x1d);
        assertEquals(0, e.inReRequestId());
        assertEquals(e, ((Decoded.Message) Vl1Codec.decode(e.encode())).message());
    }

    @Test
    void rateLimitedRetryAfterIsReadAsTheSpecSays() {
        assertEquals(1, new ErrorMessage(Verb.HELLO, 7, ErrorMessage.RATE_LIMITED, new ErrorMessage.Detail.RetryAfter(0)).effectiveRetryAfterSeconds());
        assertEquals(3600, new ErrorMessage(Verb.HELLO, 7, ErrorMessage.RATE_LIMITED, new ErrorMessage.Detail.RetryAfter(65535)).effectiveRetryAfterSeconds());
        assertEquals(10, ErrorMessage.rateLimited(Verb.WHOIS, 9, 10).effectiveRetryAfterSeconds());
        assertThrows(IllegalArgumentException.class, () -> ErrorMessage.rateLimited(Verb.WHOIS, 9, 0));
        assertEquals(-1, ErrorMessage.unsupported(3).effectiveRetryAfterSeconds());
        // a body that does not match its code is refused (misuse) and malformed (wire)
        assertThrows(IllegalArgumentException.class, () -> new ErrorMessage(Verb.WHOIS, 1, ErrorMessage.RATE_LIMITED, ErrorMessage.Detail.NONE));
        assertMalformed(new byte[] {Verb.ERROR, Verb.WHOIS, 0, 0, 0, 1, ErrorMessage.RATE_LIMITED, 0}, "1-byte retry-after");
    }

    static void assertMalformed(byte[] b, String what) {
        Decoded d = decodeChecked(b);
        assertInstanceOf(Decoded.Malformed.class, d, () -> what + " must be malformed, got " + d);
    }
}
