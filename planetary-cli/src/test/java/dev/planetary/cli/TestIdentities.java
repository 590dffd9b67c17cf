package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.IdentityFiles;
import dev.planetary.identity.IdentityText;
import dev.planetary.identity.SecretIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The black-box tests' fixed identities (resources it-identities/NAME, made once with {@code
 * planetary identity new}): an Argon2id proof of work costs about a second of both cores, and the
 * tests start dozens of daemons. Each is lent to one home at a time and is free again once that
 * home's identity file is gone (the test's temporary directory deleted), so two daemons alive at
 * the same moment never share one; when every one is lent, a daemon makes its own as it would.
 */
final class TestIdentities {
    /** The resource names: a root, a controller and 20 members (MulticastNetnsIT takes them by name). */
    static final List<String> NAMES = Stream.concat(Stream.of("root", "ctl"),
            IntStream.range(0, 20).mapToObj(i -> String.format("m%02d", i))).toList();

    private static final Map<String, Path> LENT = new HashMap<>();

    private TestIdentities() {}

    /**
     * The order in which {@link #lend(Path)} hands them out, shuffled once per test JVM: which daemon's
     * address sorts first (who initiates, who wins a glare) still varies from run to run, as it did
     * with identities generated at every start.
     */
    private static final List<String> ORDER = shuffled();

    private static List<String> shuffled() {
        List<String> order = new java.util.ArrayList<>(NAMES);
        java.util.Collections.shuffle(order, new java.security.SecureRandom());
        return List.copyOf(order);
    }

    /** Writes a free identity into {@code home} (created 0700) unless it holds one; false when none was free or it had one. */
    static synchronized boolean lend(Path home) throws IOException {
        if (Files.exists(home.resolve(IdentityFiles.SECRET))) return false;
        for (String name : ORDER) {
            if (free(name)) {
                lend(home, name);
                return true;
            }
        }
        return false;
    }

    /**
     * Writes identity {@code name} into {@code home}, as the daemon writes its own (IdentityFiles).
     * Taken by name, it moves to {@code home} even from a home that still exists: no daemon of an
     * earlier test class is alive any more, only perhaps its directory.
     */
    static synchronized SecretIdentity lend(Path home, String name) throws IOException {
        String text;
        try (InputStream in = TestIdentities.class.getResourceAsStream("/it-identities/" + name + "/" + IdentityFiles.SECRET)) {
            assertTrue(in != null, "test resource it-identities/" + name + "/" + IdentityFiles.SECRET);
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        Decoded<SecretIdentity> id = IdentityText.parseSecret(text);
        assertTrue(id instanceof Decoded.Ok<SecretIdentity>, "test identity " + name + ": " + id);
        SecretIdentity secret = ((Decoded.Ok<SecretIdentity>) id).value();
        IdentityFiles.write(home, secret, false);
        LENT.put(name, home);
        PlanetaryProcess.IDENTITIES_LENT.incrementAndGet();
        return secret;
    }

    private static boolean free(String name) {
        Path home = LENT.get(name);
        return home == null || !Files.exists(home.resolve(IdentityFiles.SECRET));
    }
}
