package dev.planetary.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations such as {@code 500ms}, {@code 3s}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 90d}. */
public final class Durations {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");

    private Durations() {}

    /** Milliseconds; {@link CliError} naming {@code option} if malformed or below {@code minMs}. */
    public static long parseMillis(String option, String text, long minMs) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = FORMAT.matcher(t);
        if (!m.matches()) {
            if (t.matches("\\d+(\\.\\d+)?")) {
                throw new CliError(CliError.USAGE, option + " '" + text + "' needs a unit: ms, s, m or h (e.g. 500ms, 3s, 1h)");
            }
            throw new CliError(CliError.USAGE, option + " '" + text + "' is not a duration (e.g. 500ms, 3s, 2m, 1h)");
        }
        double v = Double.parseDouble(m.group(1));
        double ms = switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1e3;
            case "m" -> v * 60e3;
            case "h" -> v * 3600e3;
            default -> v * 86_400e3;
        };
        if (ms > Long.MAX_VALUE / 4) throw new CliError(CliError.USAGE, option + " '" + text + "' is too long");
        long r = Math.round(ms);
        if (r < minMs) throw new CliError(CliError.USAGE, option + " must be at least " + minMs + "ms, got '" + text + "'");
        return r;
    }
}
