package dev.planetary.vl1;

import dev.planetary.identity.SecretIdentity;
import java.util.HexFormat;

/**
 * Identities for the engine tests: fixed secrets (generated once with {@code SecretIdentity.generate},
 * test keys only), so a simulation's seed fixes its addresses, keys and hash orders too, and no JVM
 * pays Argon2id's identity search (≈ 1 s each) again; decoded on first use and shared by every test
 * class and seed.
 */
final class Pool {
    private static final String[] SECRETS = {
        "015205bd108e0d5cc2f9968ff32f8bf4b176243a34ea8bcd33cccbd8f4ff94f075505e238092bc8371f2b1b10a2507f9443130c9994f6d4fe038a4cfda7c5230fe16542dd1ec85b1c9fdb9dd87f6643ec84bb6d2d84048b0a7c988e1d8dd3a65ee", // 8d0feffd44
        "01d6cb7fc22a7d40912e303d07e061f5772b4b7846be08462569d8121935bef27ac1b5bb9264fcb2629906478130a2a5894a21d72335559486cdbcbae5956dff7e73072b2d2cd427d168a67e0ad8a6853740b7acca170bb022a976d7f38babe510", // 704c82e525
        "01365e07e968948afb0b471de56d2f305792163130884b32b4484bbd64149bdf2f2238d624b78cf246ad6604fa348ff041f04f0f8df062b407a501be6f5b19fb04642cf2400d38d3ade05be0bfec42e04195bf51b656cfd133da056cf8d938276b", // 1534c6f654
        "01a348bc8cc85003a06b9593c88f8e7ea70ef5ad7fa0f10e9fcb7f9379ef6a3f9ae588b08c6befc29597ee9175ece84554508c9fad2a5e613df10d4158c940aff4b7adfffe99999c4fdd7c2704645993311cdaf0088a4c0d505111f4e0435fd190", // 4066bb6835
        "01f3a0bbdfd84f92bd4d00ee94707e79f4bc26a374be11a7f45e7e84fc5e45055792b25d4c5d4327d287d063e40007fe6e87d118bcb2547d9446c3f059b2faf720d59ec20a97890a96ef48fe0b1bd2fecf52546d6d7759014b207553912a309a0a", // b743bef765
        "01c84ef989d66a99593c26823d2b95d0210dc0a6535cb6ca7ba0b2b21e2c8e4f5e70af30e00f8362174ada5e568cd14a2d4cc74ef79d84e11c6f6828a3d3b477ce278f16dd1cbb5a4f435f0b2d310d04a512e2900165cc1e7aed4b6eefed0d59d8", // 35217065c7
        "017e3672e50a0c23e813de7835bdbd65cf8a7f7f89255aac45b4c6d83d2562018b5688dc7c87c42289a217ac116deeb3446b2f8dfc33633329fa934d74d83a2294a11a1e5d72100b01a101c5ac284e8739b16294f9344feb5b45ae370206cf39e9", // 5f180d3c86
    };
    static final int SIZE = SECRETS.length;
    private static final SecretIdentity[] ids = new SecretIdentity[SIZE];

    private Pool() {}

    /** Identity {@code i}, decoded on first use. */
    static synchronized SecretIdentity get(int i) {
        if (i < 0 || i >= SIZE) throw new IllegalArgumentException("pool index " + i + " outside 0.." + (SIZE - 1));
        if (ids[i] == null) ids[i] = SecretIdentity.decodeSecret(HexFormat.of().parseHex(SECRETS[i])).orThrow();
        return ids[i];
    }
}
