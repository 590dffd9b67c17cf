package dev.planetary.zssp.crypto;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every {@code (type, counter)} each live {@link AesGcm} key has sealed, recorded only when Java
 * assertions are on (tests run with them): {@code assert NonceAudit.firstUse(…)} in
 * {@link AesGcm#seal} turns any nonce reuse anywhere in the engine, in any test, into an
 * {@link AssertionError}. With assertions off (production) the calls are not evaluated at all.
 */
final class NonceAudit {
    private NonceAudit() {}

    private record Use(int type, long counter) {}

    /** Keys by identity ({@link AesKey} does not override equals), weakly held. */
    private static final Map<AesGcm, Set<Use>> SEALED = Collections.synchronizedMap(new WeakHashMap<>());

    /** Records the use; false if this key sealed this nonce before. */
    static boolean firstUse(AesGcm key, int type, long counter) {
        return SEALED.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(new Use(type, counter));
    }

    /** Drops a destroyed key's record; always true (for use in an assert statement). */
    static boolean forget(AesGcm key) {
        SEALED.remove(key);
        return true;
    }
}
