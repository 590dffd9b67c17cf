package dev.planetary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.Locale;

/**
 * Exceptions in words, for {@code planetary: error: …} lines: what is wrong and with which file,
 * never a Java class name ({@code NoSuchFileException: /proc/x} reads "/proc/x: no such file or
 * directory").
 */
final class Errors {
    private Errors() {}

    /** One line for {@code t}: the file system problem and the path, or the message (without class names), or "no details". */
    static String describe(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof FileSystemException f) {
            String file = f.getFile();
            String other = f.getOtherFile();
            String why = reason(f);
            return (file == null ? "" : file + (other == null ? "" : " -> " + other) + ": ") + why;
        }
        String m = e.getMessage();
        if (m != null && !m.isBlank()) return withoutClassNames(m.strip());
        if (e instanceof OutOfMemoryError) return "out of memory (raise -Xmx)";
        return "no details";
    }

    /** The reason alone (no path): for messages that already name the file. */
    static String reason(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileAlreadyExistsException) return "already exists";
        if (e instanceof NotDirectoryException) return "not a directory";
        if (e instanceof DirectoryNotEmptyException) return "directory not empty";
        if (e instanceof FileSystemLoopException) return "a loop of symbolic links";
        if (e instanceof NotLinkException) return "not a symbolic link";
        if (e instanceof FileSystemException f && f.getReason() != null) return lowerFirst(f.getReason());
        if (e instanceof FileSystemException) return "file system error";
        String m = e.getMessage();
        return m == null || m.isBlank() ? "internal error" : withoutClassNames(m.strip());
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        for (int i = 0; i < 8 && e.getCause() != null
                && (e instanceof UncheckedIOException || e instanceof java.util.concurrent.ExecutionException
                        || e instanceof java.util.concurrent.CompletionException
                        || (e instanceof IOException && e.getClass() == IOException.class && e.getCause() instanceof IOException)); i++) {
            e = e.getCause();
        }
        return e;
    }

    /** "java.nio.file.NoSuchFileException: /x" (a cause's toString inside a message) → "/x: no such file or directory". */
    static String withoutClassNames(String m) {
        String s = m;
        String[][] known = {
                {"java.nio.file.NoSuchFileException", "no such file or directory"},
                {"java.nio.file.AccessDeniedException", "permission denied"},
                {"java.nio.file.FileAlreadyExistsException", "already exists"},
                {"java.nio.file.NotDirectoryException", "not a directory"},
                {"java.nio.file.FileSystemException", null},
        };
        for (String[] k : known) {
            int at = s.indexOf(k[0] + ": ");
            if (at < 0) continue;
            int start = at + k[0].length() + 2;
            int end = s.indexOf(' ', start);
            String rest = end < 0 ? s.substring(start) : s.substring(start, end);
            String tail = end < 0 ? "" : s.substring(end);
            s = s.substring(0, at) + rest + (k[1] == null ? "" : ": " + k[1]) + tail;
        }
        return s.replaceAll("\\b(?:[a-z][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9]*(?:Exception|Error)): ", "");
    }

    private static String lowerFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && !Character.isUpperCase(s.charAt(1))) {
            return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
        }
        return s;
    }
}
