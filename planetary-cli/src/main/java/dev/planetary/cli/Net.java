package dev.planetary.cli;

import dev.planetary.transport.Endpoint;
import dev.planetary.transport.EndpointClosedException;
import dev.planetary.transport.HandshakeTimeoutException;
import dev.planetary.transport.PeerSession;
import dev.planetary.transport.SessionRejectedException;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Endpoint set-up and the mapping of transport failures to one-line CLI errors (public for the {@link PluginCommand}s). */
public final class Net {
    private Net() {}

    /** Builds the endpoint; bind and option failures become {@link CliError}s. */
    public static Endpoint build(Endpoint.Builder b) {
        try {
            return b.build();
        } catch (BindException e) {
            throw new CliError(CliError.FAILED, e.getMessage(), e);
        } catch (IOException e) {
            throw new CliError(CliError.FAILED, "cannot open a UDP socket: " + Errors.describe(e), e);
        } catch (IllegalArgumentException e) {
            throw new CliError(CliError.USAGE, e.getMessage(), e);
        }
    }

    /** A wildcard bind address of the peer's family, on a free port. */
    static InetSocketAddress anyLocalFor(InetSocketAddress peer) {
        return peer.getAddress() instanceof Inet6Address ? new InetSocketAddress("::", 0) : new InetSocketAddress("0.0.0.0", 0);
    }

    /** Connects and waits for the handshake; failures become {@link CliError}s naming what happened. */
    public static PeerSession connect(Endpoint ep, StaticPublicKey peer, InetSocketAddress address, byte[] identity, Duration timeout) {
        long start = System.nanoTime();
        try {
            return ep.connect(peer, address, identity).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof HandshakeTimeoutException || c instanceof SessionRejectedException) throw new CliError(CliError.FAILED, c.getMessage(), c);
            if (c instanceof EndpointClosedException) throw new CliError(CliError.FAILED, "interrupted: " + c.getMessage(), c);
            throw new CliError(CliError.FAILED, "cannot connect to " + Endpoint.format(address) + ": " + Errors.describe(c), c);
        } catch (TimeoutException e) {
            throw new CliError(CliError.FAILED, "no handshake with " + Endpoint.format(address) + " after "
                    + String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9) + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(CliError.FAILED, "interrupted while connecting to " + Endpoint.format(address));
        } catch (IllegalArgumentException e) {
            throw new CliError(CliError.USAGE, e.getMessage(), e);
        }
    }

    static String shortKey(StaticPublicKey k) {
        return k == null ? "?" : k.toHex().substring(0, 16) + "…";
    }

    /** The identity (peer-chosen, up to 4096 bytes) for a human line: as text if it is UTF-8, else as hex; escaped and truncated. */
    static String identityText(byte[] identity) {
        if (identity.length == 0) return "";
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(identity)).toString();
            if (s.codePoints().allMatch(cp -> cp >= 0x20 && cp != 0x7f)) return Output.peer(s);
        } catch (CharacterCodingException ignored) {
            // binary
        }
        int shown = Math.min(identity.length, Output.MAX_PEER_TEXT / 2);
        return "0x" + HexFormat.of().formatHex(identity, 0, shown) + (shown < identity.length ? "…(" + identity.length + " bytes)" : "");
    }
}
