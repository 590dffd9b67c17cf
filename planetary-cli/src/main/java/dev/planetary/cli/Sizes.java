package dev.planetary.cli;

import java.util.Locale;

/** Byte counts on the command line: {@code 4096}, {@code 64k}, {@code 8m}, {@code 1g} (binary units). */
final class Sizes {
    private Sizes() {}

    static long parse(String option, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib") || t.endsWith("b")) t = t.substring(0, t.length() - (t.endsWith("ib") ? 2 : 1));
        int shift = t.endsWith("k") ? 10 : t.endsWith("m") ? 20 : t.endsWith("g") ? 30 : 0;
        if (shift > 0) t = t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(t);
            if (n < 0 || n > (Long.MAX_VALUE >> shift)) throw new NumberFormatException();
            return n << shift;
        } catch (NumberFormatException e) {
            throw new CliError(CliError.USAGE, option + " must be a byte count like 8m, 512k or 1048576, got '" + text + "'");
        }
    }
}
