package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.CHALLENGE_BODY_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.HELLO_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.KID_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.ZCP_DIFFICULTY;
import static dev.planetary.zssp.crypto.ZsspConstants.ZCP_SALT_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.ZCP_WINDOW;

import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.Secrets;
import dev.planetary.zssp.crypto.Sha512;
import java.security.MessageDigest;

/**
 * ZCP, the challenge protocol (spec §9). The 32-byte body shared by the Hello's response and the
 * challenge is {@code counter (8) ‖ mac (16) ‖ pow (8)}. This class holds the responder's state
 * (salt, issue counter, {@code ZCP_WINDOW}-slot replay window, on/off switch) and the proof-of-work
 * helpers both sides use.
 */
final class Zcp {
    static final int COUNTER = 0;
    static final int MAC = 8;
    static final int POW = 24;
    private static final int MAC_SIZE = 16;

    private final byte[] salt;
    private final long[] window = new long[ZCP_WINDOW];
    private long issued;
    private volatile boolean enabled;
    private final ChallengeBudget budget;

    /**
     * Draws the 32-byte salt (the first draw of a new Context, as in the reference).
     *
     * @param perAddress challenges per second to one source address ({@link Settings#challengesPerAddress()})
     * @param budgetKey  secret local key placing addresses in the budget table (not drawn from {@code rng},
     *                   so transcripts stay identical to the reference's)
     */
    Zcp(RandomSource rng, int perAddress, long budgetKey) {
        this.salt = rng.bytes(ZCP_SALT_SIZE);
        this.budget = new ChallengeBudget(perAddress, budgetKey);
    }

    boolean enabled() {
        return enabled;
    }

    void setEnabled(boolean on) {
        enabled = on;
    }

    /**
     * Whether {@code address} has used its challenge budget: its Hellos are then dropped before any
     * MAC is computed (a local rule; an honest initiator asks for one challenge per resend at most).
     */
    synchronized boolean overBudget(byte[] address, long now) {
        return budget.exhausted(address, now);
    }

    /** §9.3: a fresh counter, our MAC for the sender's address, and valid proof of work. Records the counter on success. */
    synchronized boolean accept(byte[] r, int off, byte[] address) {
        long c = Bytes.getLong(r, off + COUNTER);
        long a = c + 1; // wraps: c = 2^64 − 1 never passes
        int slot = (int) c & (ZCP_WINDOW - 1);
        if (Long.compareUnsigned(window[slot], a) >= 0) return false;
        if (!Secrets.equal(mac(c, address), 0, r, off + MAC, MAC_SIZE) || !proofOfWork(r, off)) return false;
        window[slot] = a;
        return true;
    }

    /**
     * §9.3: the 36-byte challenge packet body answering the Hello at {@code hello[off, off+1749)},
     * or null if {@code address} has used its challenge budget (no counter
     * is spent then).
     */
    synchronized byte[] issue(byte[] hello, int off, byte[] address, long now) {
        if (!budget.take(address, now)) return null;
        byte[] out = new byte[KID_SIZE + CHALLENGE_BODY_SIZE];
        System.arraycopy(hello, off, out, 0, KID_SIZE);
        long d = issued++;
        Bytes.putLong(out, KID_SIZE + COUNTER, d);
        System.arraycopy(mac(d, address), 0, out, KID_SIZE + MAC, MAC_SIZE);
        System.arraycopy(hello, off + HELLO_SIZE - 8, out, KID_SIZE + POW, 8); // echo the pow: proof of receipt
        return out;
    }

    /** {@code SHA-512(BE64(c) ‖ A(addr) ‖ salt)[0..16)}. */
    private byte[] mac(long c, byte[] address) {
        MessageDigest md = Sha512.begin();
        byte[] be = new byte[8];
        Bytes.putLong(be, 0, c);
        md.update(be);
        md.update(address);
        md.update(salt);
        byte[] full = md.digest();
        return java.util.Arrays.copyOf(full, MAC_SIZE);
    }

    /** PoW(r): the first 13 bits of SHA-512(r) are zero. */
    static boolean proofOfWork(byte[] r, int off) {
        byte[] h = Sha512.hash(r, off, CHALLENGE_BODY_SIZE);
        return leadingZeroBits(h) >= ZCP_DIFFICULTY;
    }

    private static int leadingZeroBits(byte[] h) {
        return Integer.numberOfLeadingZeros(Bytes.getInt(h, 0));
    }

    /**
     * Alice (§9.2): copies counter and MAC from the challenge into the response and searches pow
     * values from a random start (one {@code next_u64}) until the proof of work holds.
     *
     * @return the number of SHA-512 evaluations it took
     */
    static long solve(byte[] response, int off, byte[] challenge, int chOff, RandomSource rng) {
        System.arraycopy(challenge, chOff + COUNTER, response, off + COUNTER, 8 + MAC_SIZE);
        long pow = rng.nextLong();
        long attempts = 0;
        while (true) {
            Bytes.putLong(response, off + POW, pow);
            attempts++;
            if (proofOfWork(response, off)) return attempts;
            pow++;
        }
    }
}
