package dev.planetary.zssp;

import dev.planetary.zssp.crypto.AesGcm;

/**
 * Receipt of DATA packets (spec §7.3, §7.8), lock-free: key slot from the immutable snapshot,
 * AES-GCM with the wire nonce, then the replay window's CAS. (Sending is {@link Session#send}.)
 */
final class DataPath {
    private DataPath() {}

    static <D> Received<D> receive(Session<D> s, int kid, byte[] nonce, long counter, byte[] p, int off, int len) {
        AesGcm key = s.keys.dataKey(kid);
        if (key == null) return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "data on a key id without keys");
        if (len < AesGcm.TAG_SIZE) return Context.dropped(Fault.FAILED_AUTH, false, "data shorter than its tag");
        byte[] payload = s.receiveArray(len - AesGcm.TAG_SIZE); // a new array unless the application lends them (Session.receiveArrays)
        if (!key.open(nonce, null, p, off, len, payload, 0)) return Context.dropped(Fault.FAILED_AUTH, false, "data failed authentication");
        if (!s.window.update(counter)) return Context.dropped(Fault.EXPIRED_COUNTER, false, "replayed data");
        return new Event.Data<>(s, payload);
    }
}
