package dev.planetary.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * A tiny UDP tool run inside the test bed's namespaces ({@link NetnsTestbed#startJava}) to
 * characterise a NAT's mapping and filtering. Output is one line per fact, on stdout:
 *
 * <ul>
 *   <li>{@code reflect PORT}: answers every datagram with {@code observed IP:PORT}, the source it
 *       saw (the NAT mapping). Prints {@code ready}.
 *   <li>{@code probe LOCALPORT DEST…}: from one local port, asks each reflector DEST and prints
 *       {@code mapped DEST IP:PORT}; then keeps listening on that port until stdin ends or says
 *       {@code end}, printing {@code unsolicited FROM} for each datagram that is no reflector's
 *       answer, and finally {@code done}.
 *   <li>{@code send DEST}: sends three datagrams to DEST from a fresh port and exits.
 * </ul>
 *
 * Only test code: it trusts its input (the namespaces hold nothing else).
 */
final class NatProbe {
    private NatProbe() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "reflect" -> reflect(Integer.parseInt(args[1]));
            case "probe" -> probe(Integer.parseInt(args[1]), java.util.Arrays.copyOfRange(args, 2, args.length));
            case "send" -> send(address(args[1]));
            default -> throw new IllegalArgumentException("reflect PORT | probe LOCALPORT DEST... | send DEST");
        }
    }

    private static void reflect(int port) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(port))) {
            System.out.println("ready");
            byte[] buf = new byte[1500];
            while (true) {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                s.receive(in);
                byte[] answer = ("observed " + in.getAddress().getHostAddress() + ":" + in.getPort()).getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
            }
        }
    }

    private static void probe(int localPort, String[] dests) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(localPort))) {
            Set<InetSocketAddress> reflectors = new HashSet<>();
            byte[] buf = new byte[1500];
            for (String d : dests) {
                InetSocketAddress dest = address(d);
                reflectors.add(dest);
                s.setSoTimeout(500);
                String observed = null;
                for (int attempt = 0; attempt < 6 && observed == null; attempt++) {
                    s.send(new DatagramPacket(new byte[] {'?'}, 1, dest));
                    try {
                        DatagramPacket in = new DatagramPacket(buf, buf.length);
                        s.receive(in);
                        String text = new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
                        if (in.getSocketAddress().equals(dest) && text.startsWith("observed ")) observed = text.substring(9);
                    } catch (SocketTimeoutException retry) {
                        // the next attempt
                    }
                }
                System.out.println("mapped " + d + " " + (observed == null ? "none" : observed));
            }
            Thread listener = Thread.ofPlatform().daemon().start(() -> {
                DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
                try {
                    s.setSoTimeout(0);
                    while (true) {
                        s.receive(in);
                        if (!reflectors.contains((InetSocketAddress) in.getSocketAddress())) {
                            System.out.println("unsolicited " + in.getAddress().getHostAddress() + ":" + in.getPort());
                        }
                    }
                } catch (IOException closed) {
                    // the socket closed: done
                }
            });
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = stdin.readLine()) != null && !line.equals("end"); ) {
                // wait for the test's word
            }
            s.close();
            listener.join(2000);
            System.out.println("done");
        }
    }

    private static void send(InetSocketAddress dest) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i < 3; i++) {
                s.send(new DatagramPacket(new byte[] {'!'}, 1, dest));
                Thread.sleep(50);
            }
        }
        System.out.println("sent");
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
