package dev.planetary.bench.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * DTLS 1.2 for {@code planetary bench}: the JDK's {@link SSLEngine} with
 * TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, a self-signed P-384 certificate made at run time with
 * the JDK's {@code keytool} (the JDK has no public X.509 builder), and the handshake loop over a
 * {@link DatagramChannel} (wrap/unwrap, delegated tasks, retransmission on timeout).
 */
final class BenchDtls {
    static final String PROTOCOL = "DTLSv1.2";
    static final String SUITE = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    /** Record header 13 + explicit nonce 8 + GCM tag 16. */
    static final int RECORD_OVERHEAD = 37;
    /** Largest plaintext of one record. */
    static final int MAX_PLAINTEXT = 16_384;
    private static final String ALIAS = "planetary-bench";
    private static final long RETRANSMIT_MS = 250;

    private BenchDtls() {}

    /** An SSLContext whose key is a fresh self-signed ECDSA P-384 certificate, trusting only that certificate. */
    static SSLContext context(Path tmpDir) throws IOException, GeneralSecurityException, InterruptedException {
        char[] pass = "planetary-bench".toCharArray();
        Path ks = tmpDir.resolve("bench.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", isWindows() ? "keytool.exe" : "keytool");
        if (!Files.isExecutable(keytool)) throw new IOException("keytool not found at " + keytool);
        List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp384r1",
                "-sigalg", "SHA384withECDSA", "-dname", "CN=planetary-bench", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", ks.toString(), "-storepass", new String(pass), "-keypass", new String(pass));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output;
        try (InputStream in = p.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool did not finish within 60 s");
        }
        if (p.exitValue() != 0) throw new IOException("keytool failed (exit " + p.exitValue() + "): " + new String(output).strip());

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            keys.load(in, pass);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(ALIAS, keys.getCertificate(ALIAS));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, pass);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance(PROTOCOL);
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
    }

    /** An engine restricted to DTLS 1.2 and the one cipher suite; packets up to {@code maxPacket} bytes. */
    static SSLEngine engine(SSLContext ctx, boolean client, InetSocketAddress peer, int maxPacket) {
        SSLEngine e = ctx.createSSLEngine(peer.getHostString(), peer.getPort());
        e.setUseClientMode(client);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(new String[] {PROTOCOL});
        p.setCipherSuites(new String[] {SUITE});
        p.setMaximumPacketSize(maxPacket);
        if (!client) p.setNeedClientAuth(false);
        e.setSSLParameters(p);
        return e;
    }

    /**
     * Runs the handshake of {@code engine} over {@code ch} (non-blocking, registered for reading
     * with {@code sel}) with the peer at {@code peer}; a flight not answered within 250 ms is
     * retransmitted. Throws on failure or at {@code deadlineNanos}.
     */
    static void handshake(SSLEngine engine, DatagramChannel ch, Selector sel, InetSocketAddress peer, long deadlineNanos)
            throws IOException {
        ByteBuffer in = ByteBuffer.allocate(65_536);
        ByteBuffer app = ByteBuffer.allocate(65_536);
        ByteBuffer empty = ByteBuffer.allocate(0);
        engine.beginHandshake();
        while (true) {
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new SSLException("DTLS handshake (" + (engine.getUseClientMode() ? "client" : "server") + ") did not finish in time, at "
                        + engine.getHandshakeStatus());
            }
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NOT_HANDSHAKING, FINISHED -> {
                    return;
                }
                case NEED_TASK -> runTasks(engine);
                case NEED_WRAP -> {
                    if (produce(engine, ch, peer)) return;
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    ByteBuffer src = empty;
                    if (hs == HandshakeStatus.NEED_UNWRAP) {
                        in.clear();
                        SocketAddress from = receive(ch, sel, in, RETRANSMIT_MS);
                        if (from == null) { // timeout: the engine re-sends its last flight when asked to wrap
                            if (produce(engine, ch, peer)) return;
                            continue;
                        }
                        if (!peer.equals(from)) continue;
                        in.flip();
                        src = in;
                    }
                    app.clear();
                    SSLEngineResult r = engine.unwrap(src, app);
                    switch (r.getStatus()) {
                        case OK, BUFFER_UNDERFLOW -> { } // underflow: a partial/garbled datagram, ignored
                        case BUFFER_OVERFLOW -> throw new SSLException("DTLS unwrap: buffer overflow");
                        case CLOSED -> throw new SSLException("DTLS engine closed during the handshake");
                    }
                    if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) return;
                }
            }
        }
    }

    /** Wraps and sends every packet the engine has to send; true if the handshake finished. */
    private static boolean produce(SSLEngine engine, DatagramChannel ch, InetSocketAddress peer) throws IOException {
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer net = ByteBuffer.allocate(65_536);
        for (int i = 0; i < 64; i++) {
            net.clear();
            SSLEngineResult r = engine.wrap(empty, net);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) throw new SSLException("DTLS engine closed during the handshake");
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) throw new SSLException("DTLS wrap: buffer overflow");
            net.flip();
            if (net.hasRemaining()) sendFully(ch, net, peer);
            HandshakeStatus hs = r.getHandshakeStatus();
            if (hs == HandshakeStatus.FINISHED) return true;
            if (hs == HandshakeStatus.NEED_TASK) runTasks(engine);
            else if (hs != HandshakeStatus.NEED_WRAP) return false;
        }
        return false;
    }

    static void runTasks(SSLEngine engine) {
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) t.run();
    }

    /** Handshake sends: retried briefly if the (non-blocking) socket buffer is full. */
    private static void sendFully(DatagramChannel ch, ByteBuffer b, InetSocketAddress peer) throws IOException {
        for (int i = 0; i < 100 && ch.send(b, peer) == 0; i++) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    /** One datagram into {@code buf}, waiting at most {@code timeoutMs}; null on timeout. */
    private static SocketAddress receive(DatagramChannel ch, Selector sel, ByteBuffer buf, long timeoutMs) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            SocketAddress from = ch.receive(buf);
            if (from != null) return from;
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) return null;
            sel.select(left);
            sel.selectedKeys().clear();
        }
    }

    /** Both handshakes, each on its own thread. */
    static void handshakeBoth(SSLEngine client, DatagramChannel clientCh, Selector clientSel, InetSocketAddress serverAddr,
            SSLEngine server, DatagramChannel serverCh, Selector serverSel, InetSocketAddress clientAddr, long deadlineNanos)
            throws IOException, InterruptedException {
        List<Throwable> failures = new ArrayList<>();
        Thread s = Thread.ofPlatform().name("bench-dtls-server-handshake").start(() -> {
            try {
                handshake(server, serverCh, serverSel, clientAddr, deadlineNanos);
            } catch (IOException | RuntimeException e) {
                synchronized (failures) {
                    failures.add(e);
                }
            }
        });
        try {
            handshake(client, clientCh, clientSel, serverAddr, deadlineNanos);
        } catch (IOException | RuntimeException e) {
            synchronized (failures) {
                failures.add(e);
            }
        }
        s.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 1000));
        if (s.isAlive()) {
            s.interrupt();
            throw new SSLException("DTLS server handshake did not finish");
        }
        synchronized (failures) {
            if (!failures.isEmpty()) {
                Throwable f = failures.get(0);
                if (f instanceof IOException io) throw io;
                throw new SSLException("DTLS handshake failed: " + f, f);
            }
        }
    }
}
