package dev.planetary.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses {@code HOST:PORT}, {@code [IPv6]:PORT} and {@code :PORT}. */
final class Addresses {
    private Addresses() {}

    /**
     * @param what      what the address is for, for messages ("--bind", "peer address")
     * @param allowZero whether port 0 (pick a free port) is allowed
     */
    static InetSocketAddress parse(String what, String text, boolean allowZero) {
        String t = text.strip();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                throw bad(what, text, "write IPv6 addresses as [ADDRESS]:PORT");
            }
            host = t.substring(1, close);
            port = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon < 0) throw bad(what, text, "expected HOST:PORT");
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
            if (host.contains(":")) throw bad(what, text, "write IPv6 addresses as [ADDRESS]:PORT");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw bad(what, text, "port '" + port + "' is not a number");
        }
        if (p < (allowZero ? 0 : 1) || p > 65535) throw bad(what, text, "port must be " + (allowZero ? "0" : "1") + "..65535");
        if (host.isEmpty()) host = allowZero ? "0.0.0.0" : "127.0.0.1";
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw bad(what, text, "cannot resolve host '" + host + "'");
        }
    }

    private static CliError bad(String what, String text, String why) {
        return new CliError(CliError.USAGE, "bad " + what + " '" + text + "': " + why);
    }
}
