package dev.planetary.vl1.engine;

import dev.planetary.identity.Address;
import dev.planetary.identity.Identity;

/**
 * The identity blob an initiator carries in the ZSSP X3 (VL.md §3.2): {@code 0x01 ‖ Address ‖
 * Identity ‖ u16 T ‖ T bytes of optional TLVs (types ≥ 0x80)}, at most 4096 bytes.
 *
 * @param claimed the initiator's claimed address: a hint until bound (§2.6)
 */
public record IdentityBlob(Address claimed, Identity identity) {
    public static final int VERSION = 0x01;
    public static final int MAX_SIZE = 4096;
    static final int FIXED = 1 + Address.SIZE + Identity.SIZE + 2;

    /** Version 1 with no TLVs. */
    public byte[] encode() {
        byte[] b = new byte[FIXED];
        b[0] = VERSION;
        claimed.write(b, 1);
        identity.writeTo(b, 1 + Address.SIZE);
        return b;
    }

    /** Parses hostile bytes; {@code null} on any format error (§3.2 step 1). Never throws. */
    public static IdentityBlob parse(byte[] b) {
        if (b == null || b.length < FIXED || b.length > MAX_SIZE || (b[0] & 0xff) != VERSION) return null;
        long a = 0;
        for (int i = 0; i < Address.SIZE; i++) a = (a << 8) | (b[1 + i] & 0xff);
        if (!Address.isValid(a)) return null;
        Identity id = Identity.decode(b, 1 + Address.SIZE, Identity.SIZE).orNull();
        if (id == null) return null;
        int off = 1 + Address.SIZE + Identity.SIZE;
        int t = ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
        if (FIXED + t != b.length) return null;
        // optional TLVs only (§3.2): u8 type ≥ 0x80 ‖ u16 length ‖ value, ascending, ignored
        int p = FIXED;
        int lastType = -1;
        while (p < b.length) {
            if (b.length - p < 3) return null;
            int type = b[p] & 0xff;
            int len = ((b[p + 1] & 0xff) << 8) | (b[p + 2] & 0xff);
            if (type < 0x80 || type < lastType || b.length - p - 3 < len) return null;
            lastType = type;
            p += 3 + len;
        }
        return new IdentityBlob(new Address(a), id);
    }
}
