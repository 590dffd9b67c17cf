package dev.planetary.cli;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.RatchetStores;
import dev.planetary.store.postgres.PostgresRatchetStore;
import dev.planetary.transport.Endpoint;
import dev.planetary.zssp.Limits;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options shared by listen, connect, ping and demo. */
final class CommonOptions {
    @Option(names = "--mtu", paramLabel = "N", description = "Largest datagram to send, 128..65507 (default: ${DEFAULT-VALUE}).",
            defaultValue = "" + Limits.DEFAULT_MTU)
    int mtu;

    @Option(names = "--rekey-after", paramLabel = "DURATION", description = "Rekey sessions after this time (e.g. 3s, 500ms, 1h; default 1h).")
    String rekeyAfter;

    @Option(names = "--rekey-after-uses", paramLabel = "N", description = "Rekey after this many packets under one key (default 2^30).")
    Long rekeyAfterUses;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Handshake timeout of the commands that connect (default: ${DEFAULT-VALUE}); listen ignores it.",
            defaultValue = "10s")
    String timeout;

    @Option(names = "--state", paramLabel = "DIR",
            description = "Directory of the durable ratchet store (SQLite; default $XDG_STATE_HOME/planetary or ~/.local/state/planetary).")
    Path state;

    @Option(names = "--no-state", description = "Keep ratchets in memory only: opportunistic-only, state is lost at exit.")
    boolean noState;

    @Option(names = "--store-url", paramLabel = "URL",
            description = "Keep ratchets in PostgreSQL instead of SQLite (jdbc:postgresql://HOST:PORT/DB?user=…): several listeners sharing one key share one store.")
    String storeUrl;

    @Option(names = "--prune-after", paramLabel = "DURATION", defaultValue = "90d",
            description = "Forget the ratchet states of peers not seen (no handshake or rekey) for this long, at start and then hourly"
                    + " (default: ${DEFAULT-VALUE}; 'never' keeps them). A forgotten peer starts again from the empty ratchet.")
    String pruneAfter;

    @Option(names = "--json", description = "One JSON object per line for every event (see docs/cli.md).")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Only errors and warnings.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "More detail, and library debug logging on stderr.")
    boolean verbose;

    Output output(PrintStream human, PrintStream json) {
        if (quiet && verbose) throw new CliError(CliError.USAGE, "--quiet and --verbose exclude each other");
        return new Output(human, json, this.json, quiet, verbose);
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** True if --mtu was on the command line (else the tunnel uses a local peer's interface MTU, {@link PathMtu}). */
    boolean mtuGiven() {
        return mixee != null && mixee.commandLine() != null && mixee.commandLine().getParseResult() != null
                && mixee.commandLine().getParseResult().hasMatchedOption("--mtu");
    }

    int mtu() {
        if (mtu < Endpoint.MIN_MTU || mtu > Endpoint.MAX_MTU) {
            throw new CliError(CliError.USAGE, "--mtu must be between " + Endpoint.MIN_MTU + " and " + Endpoint.MAX_MTU + ", got " + mtu);
        }
        return mtu;
    }

    Duration handshakeTimeout() {
        return Duration.ofMillis(Durations.parseMillis("--timeout", timeout, 100));
    }

    Settings settings() {
        Settings s = Settings.defaults();
        if (rekeyAfter != null) {
            long ms = Durations.parseMillis("--rekey-after", rekeyAfter, 100);
            s = s.withRekeyAfterTime(ms, Math.max(1, ms / 10));
        }
        if (rekeyAfterUses != null) {
            if (rekeyAfterUses < 1 || rekeyAfterUses > 0xFFFF_FFFFL) {
                throw new CliError(CliError.USAGE, "--rekey-after-uses must be between 1 and 4294967295, got " + rekeyAfterUses);
            }
            s = s.withRekeyAfterKeyUses(rekeyAfterUses);
        }
        return s;
    }

    /** Opens the ratchet store for {@code local}: SQLite in --state (or the default directory), PostgreSQL with --store-url, or memory with --no-state. */
    RatchetStore openStore(StaticPublicKey local, Output out) {
        if (noState) {
            if (state != null) throw new CliError(CliError.USAGE, "--state and --no-state exclude each other");
            if (storeUrl != null) throw new CliError(CliError.USAGE, "--store-url and --no-state exclude each other");
            out.warn("no durable ratchet store (--no-state): this run is opportunistic-only; ratchet state is lost at exit");
            return new MemoryRatchetStore();
        }
        Duration prune = pruneAfter();
        PeerRatchetStore store = openDurableStore(state, storeUrl, local, out);
        out.debug("ratchet store: " + store);
        if (prune != null) StorePruning.start(store, prune, out);
        return store;
    }

    /** {@code --prune-after}, or null for {@code never}. */
    Duration pruneAfter() {
        if (pruneAfter == null || pruneAfter.strip().equalsIgnoreCase("never")) return null;
        return Duration.ofMillis(Durations.parseMillis("--prune-after", pruneAfter, 1000));
    }

    /** The durable store: PostgreSQL at {@code url} if given, else SQLite in {@code stateDir} (or the default directory). */
    static PeerRatchetStore openDurableStore(Path stateDir, String url, StaticPublicKey local, Output out) {
        if (url != null) {
            if (stateDir != null) throw new CliError(CliError.USAGE, "--state and --store-url exclude each other");
            if (!url.startsWith(RatchetStores.POSTGRES_URL_PREFIX)) {
                throw new CliError(CliError.USAGE, "--store-url must be a PostgreSQL JDBC URL (" + RatchetStores.POSTGRES_URL_PREFIX
                        + "//HOST:PORT/DATABASE), got '" + RatchetStores.redactUrl(url) + "'");
            }
            try {
                PeerRatchetStore store = RatchetStores.open(url);
                if (store instanceof PostgresRatchetStore pg && !pg.encrypted()) {
                    out.warn("the connection to the ratchet store at " + RatchetStores.redactUrl(url) + " is not encrypted: ratchet keys cross it in clear;"
                            + " use TLS with sslmode=verify-full (see docs/cli.md)");
                }
                return store;
            } catch (IOException | RuntimeException | LinkageError e) {
                String why = Errors.describe(e);
                throw new CliError(CliError.FAILED, "cannot open the ratchet store at " + RatchetStores.redactUrl(url) + ": " + why, e);
            }
        }
        Path dir = stateDir != null ? stateDir : RatchetStores.defaultStateDirectory();
        try {
            return RatchetStores.openDefault(dir, local);
        } catch (IOException | RuntimeException | LinkageError e) {
            String why = Errors.describe(e);
            throw new CliError(CliError.FAILED, "cannot open the ratchet store in " + dir + ": " + why + " (or run opportunistic-only with --no-state)", e);
        }
    }

    /**
     * Runs {@code r} (a last write to stdout, say) on a daemon thread and waits at most
     * {@code millis} for it: a shutdown hook must never block on output that nobody reads.
     */
    static void bounded(Runnable r, long millis) {
        Thread t = Thread.ofPlatform().daemon().name("planetary-last-words").start(r);
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeStore(RatchetStore store) {
        if (store instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // exiting anyway; compare-and-swap writes are durable when they return
            }
        }
    }
}
