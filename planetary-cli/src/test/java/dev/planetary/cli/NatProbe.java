package dev.planetary.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny UDP tool run inside the test bed's namespaces ({@link NetnsTestbed#startJava}) to
 * characterise a NAT's mapping and filtering. Output is one line per fact, on stdout:
 *
 * <ul>
 *   <li>{@code reflect PORT}: answers every datagram with {@code observed IP:PORT}, the source it
 *       saw (the NAT mapping). Prints {@code ready}. A stdin line {@code send IP:PORT} sends one
 *       datagram from PORT to IP:PORT (unsolicited, as far as that address knows) and prints
 *       {@code sent}.
 *   <li>{@code probe LOCALPORT DEST…}: from one local port, asks each reflector DEST and prints
 *       {@code mapped DEST IP:PORT} ({@code none} without an answer). Then reads stdin: {@code again}
 *       asks once more and prints {@code remapped DEST IP:PORT}; {@code end} (or the end of stdin)
 *       stops and prints {@code done}. Every datagram that is no reflector's answer is printed as
 *       {@code unsolicited FROM}.
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
            case "probe" -> probe(Integer.parseInt(args[1]), List.of(args).subList(2, args.length));
            case "send" -> send(address(args[1]));
            default -> throw new IllegalArgumentException("reflect PORT | probe LOCALPORT DEST... | send DEST");
        }
    }

    private static void reflect(int port) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(port))) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                    for (String line; (line = stdin.readLine()) != null; ) {
                        if (line.startsWith("send ")) {
                            s.send(new DatagramPacket(new byte[] {'!'}, 1, address(line.substring(5))));
                            System.out.println("sent");
                        }
                    }
                } catch (IOException ignored) {
                    // the socket closed
                }
            });
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

    private static void probe(int localPort, List<String> dests) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(localPort))) {
            Map<InetSocketAddress, String> answers = new ConcurrentHashMap<>();
            Thread receiver = Thread.ofPlatform().daemon().start(() -> {
                DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
                try {
                    while (true) {
                        s.receive(in);
                        InetSocketAddress from = (InetSocketAddress) in.getSocketAddress();
                        String text = new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
                        if (dests.stream().map(NatProbe::address).anyMatch(from::equals) && text.startsWith("observed ")) {
                            answers.put(from, text.substring(9));
                        } else {
                            System.out.println("unsolicited " + from.getAddress().getHostAddress() + ":" + from.getPort());
                        }
                    }
                } catch (IOException closed) {
                    // the socket closed: done
                }
            });
            ask(s, dests, answers, "mapped");
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = stdin.readLine()) != null && !line.equals("end"); ) {
                if (line.equals("again")) ask(s, dests, answers, "remapped");
            }
            s.close();
            receiver.join(2000);
            System.out.println("done");
        }
    }

    /** Asks each reflector (6 tries, 0.5 s apart) and prints {@code WORD DEST OBSERVED}. */
    private static void ask(DatagramSocket s, List<String> dests, Map<InetSocketAddress, String> answers, String word) throws Exception {
        answers.clear();
        for (String d : dests) {
            InetSocketAddress dest = address(d);
            for (int attempt = 0; attempt < 6 && !answers.containsKey(dest); attempt++) {
                s.send(new DatagramPacket(new byte[] {'?'}, 1, dest));
                for (int i = 0; i < 50 && !answers.containsKey(dest); i++) Thread.sleep(10);
            }
            System.out.println(word + " " + d + " " + answers.getOrDefault(dest, "none"));
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
