package dev.planetary.zssp.crypto;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * BouncyCastle 1.76's round-3 Kyber1024, loaded from its own jar in an isolated class loader
 * (parent: the platform loader), so the old release is a test oracle and nothing else: no other
 * test, and no module, ever sees its classes. Maven copies the jar to the path in the system
 * property {@code planetary.kyberOracleJar} (see planetary-zssp/pom.xml).
 */
final class KyberRound3Oracle implements AutoCloseable {
    private static final String PKG = "org.bouncycastle.pqc.crypto.crystals.kyber.";

    record KeyPair(Object bcPair, Object bcPublic, Object bcPrivate, byte[] publicKey, byte[] privateKey) {}

    record Encapsulation(byte[] ciphertext, byte[] secret) {}

    private final URLClassLoader loader;
    private final Object kyber1024;
    private final Constructor<?> genParams, pairGen, kemGen, kemExtractor;
    private final Method init, generateKeyPair, getPublic, getPrivate, publicEncoded, privateEncoded;
    private final Method generateEncapsulated, getEncapsulation, getSecret, extractSecret;

    private KyberRound3Oracle(URLClassLoader loader) throws ReflectiveOperationException {
        this.loader = loader;
        Class<?> params = type(PKG + "KyberParameters");
        kyber1024 = params.getField("kyber1024").get(null);
        genParams = type(PKG + "KyberKeyGenerationParameters").getConstructor(SecureRandom.class, params);
        Class<?> gen = type(PKG + "KyberKeyPairGenerator");
        pairGen = gen.getConstructor();
        init = gen.getMethod("init", type("org.bouncycastle.crypto.KeyGenerationParameters"));
        generateKeyPair = gen.getMethod("generateKeyPair");
        Class<?> pair = type("org.bouncycastle.crypto.AsymmetricCipherKeyPair");
        getPublic = pair.getMethod("getPublic");
        getPrivate = pair.getMethod("getPrivate");
        publicEncoded = type(PKG + "KyberPublicKeyParameters").getMethod("getEncoded");
        Class<?> priv = type(PKG + "KyberPrivateKeyParameters");
        privateEncoded = priv.getMethod("getEncoded");
        Class<?> kg = type(PKG + "KyberKEMGenerator");
        kemGen = kg.getConstructor(SecureRandom.class);
        generateEncapsulated = kg.getMethod("generateEncapsulated",
                type("org.bouncycastle.crypto.params.AsymmetricKeyParameter"));
        Class<?> swe = type("org.bouncycastle.crypto.SecretWithEncapsulation");
        getEncapsulation = swe.getMethod("getEncapsulation");
        getSecret = swe.getMethod("getSecret");
        Class<?> ex = type(PKG + "KyberKEMExtractor");
        kemExtractor = ex.getConstructor(priv);
        extractSecret = ex.getMethod("extractSecret", byte[].class);
    }

    private Class<?> type(String name) throws ClassNotFoundException {
        return Class.forName(name, true, loader);
    }

    static KyberRound3Oracle load() {
        String jar = System.getProperty("planetary.kyberOracleJar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("the round-3 Kyber oracle jar is missing: system property "
                    + "planetary.kyberOracleJar=" + jar + " (Maven's generate-test-resources copies it)");
        }
        try {
            URL url = Path.of(jar).toUri().toURL();
            return new KyberRound3Oracle(new URLClassLoader(new URL[] {url}, ClassLoader.getPlatformClassLoader()));
        } catch (ReflectiveOperationException | java.net.MalformedURLException e) {
            throw new IllegalStateException("the round-3 Kyber oracle in " + jar + " does not load", e);
        }
    }

    KeyPair generateKeyPair(SecureRandom coins) {
        Object gen = call(() -> pairGen.newInstance());
        call(() -> init.invoke(gen, genParams.newInstance(coins, kyber1024)));
        Object pair = call(() -> generateKeyPair.invoke(gen));
        Object pub = call(() -> getPublic.invoke(pair));
        Object prv = call(() -> getPrivate.invoke(pair));
        return new KeyPair(pair, pub, prv, (byte[]) call(() -> publicEncoded.invoke(pub)),
                (byte[]) call(() -> privateEncoded.invoke(prv)));
    }

    Encapsulation encapsulate(KeyPair recipient, SecureRandom coins) {
        Object swe = call(() -> generateEncapsulated.invoke(kemGen.newInstance(coins), recipient.bcPublic()));
        return new Encapsulation((byte[]) call(() -> getEncapsulation.invoke(swe)),
                (byte[]) call(() -> getSecret.invoke(swe)));
    }

    byte[] decapsulate(KeyPair recipient, byte[] ciphertext) {
        return (byte[]) call(() -> extractSecret.invoke(kemExtractor.newInstance(recipient.bcPrivate()), (Object) ciphertext));
    }

    @Override
    public void close() throws java.io.IOException {
        loader.close();
    }

    private interface Reflective {
        Object get() throws ReflectiveOperationException;
    }

    /** Unwraps the oracle's own exceptions (an AssertionError from the coin source stays one). */
    private static Object call(Reflective r) {
        try {
            return r.get();
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error err) throw err;
            throw new IllegalStateException(t);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
