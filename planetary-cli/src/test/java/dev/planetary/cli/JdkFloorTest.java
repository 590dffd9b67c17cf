package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The README's JDK floor: every library module (and the CLI) is compiled for Java 21 (class file
 * major version 65), so it loads on a Java 21 runtime; only building needs JDK 25.
 */
class JdkFloorTest {
    private static final int JAVA_21 = 65;

    private static int majorVersion(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            assertNotNull(in, "no class file for " + c.getName());
            DataInputStream d = new DataInputStream(in);
            assertEquals(0xCAFEBABE, d.readInt(), "not a class file: " + c.getName());
            d.readUnsignedShort(); // minor
            return d.readUnsignedShort();
        }
    }

    @Test
    void librariesTargetJava21() throws IOException {
        for (Class<?> c : new Class<?>[] {
                dev.planetary.zssp.Context.class,
                dev.planetary.store.RatchetStores.class,
                dev.planetary.store.sqlite.SqliteRatchetStore.class,
                dev.planetary.store.postgres.PostgresRatchetStore.class,
                dev.planetary.transport.Endpoint.class,
                dev.planetary.seqex.Seqex.class,
                Main.class}) {
            assertEquals(JAVA_21, majorVersion(c), c.getName() + " is not compiled for Java 21");
        }
    }
}
