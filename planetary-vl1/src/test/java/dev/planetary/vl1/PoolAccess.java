package dev.planetary.vl1;

import dev.planetary.identity.SecretIdentity;

/** The test identity pool for tests in other packages. */
public final class PoolAccess {
    private PoolAccess() {}

    public static SecretIdentity get(int i) {
        return Pool.get(i);
    }
}
