package dev.planetary.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every black-box test of the daemons shares: a temporary directory for homes and files, the
 * shaded jar (the test skips itself in the unit-test phase, where there is none), and no
 * {@code planetary} process outliving a test.
 */
abstract class BlackBoxTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void jar() {
        PlanetaryProcess.assumeJar();
    }

    @AfterEach
    void cleanup() {
        PlanetaryProcess.killAll();
    }
}
