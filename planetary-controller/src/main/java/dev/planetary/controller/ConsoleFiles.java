package dev.planetary.controller;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The controller web console's static files (docs/console.md), kept in this jar under
 * {@code dev/planetary/controller/console/}. They are read through this class, in this module,
 * because a named module does not let another module's class loader look into its folders: the
 * daemon serves them from the class path and from the module path alike.
 */
public final class ConsoleFiles {
    private ConsoleFiles() {}

    /**
     * The bytes of the console file {@code name} (e.g. {@code index.html}), or {@code null} when the
     * console has no such file.
     *
     * @throws IllegalArgumentException if {@code name} is empty or names a folder
     */
    public static byte[] read(String name) throws IOException {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("a console file name is one file, no folder: " + name);
        }
        try (InputStream in = ConsoleFiles.class.getResourceAsStream("console/" + name)) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
