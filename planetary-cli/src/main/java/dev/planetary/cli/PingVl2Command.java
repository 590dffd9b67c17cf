package dev.planetary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.planetary.daemon.ApiClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code planetary ping-vl2 <nwid> <ip>}: ICMP echo across a virtual network from a running node's
 * userspace NIC (VL.md §12.7), through its local API ({@code POST /planetary/ping/<nwid>}); prints
 * one line per reply and ping(8)'s summary.
 */
@Command(name = "ping-vl2", mixinStandardHelpOptions = true,
        description = {"Pings an IP across a joined network from the node's userspace NIC (a node started with --nic userspace).",
                "IPv4 resolves by ARP, IPv6 by neighbour discovery (rfc4193 addresses: answered locally, VL.md §10.6).",
                "Exit 0 when at least one reply came, 1 when none did."})
final class PingVl2Command implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    StatusCommand.Where where;
    @Parameters(index = "0", paramLabel = "NWID", description = "The network id (16 hex digits).")
    String network;
    @Parameters(index = "1", paramLabel = "IP", description = "The member's IPv4 or IPv6 address on the network.")
    String ip;
    @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "4", description = "Echo requests to send (default ${DEFAULT-VALUE}).")
    int count;
    @Option(names = {"-i", "--interval"}, paramLabel = "S", defaultValue = "1", description = "Seconds between requests (default ${DEFAULT-VALUE}).")
    double interval;
    @Option(names = {"-W", "--timeout"}, paramLabel = "S", defaultValue = "5", description = "Seconds to wait for each reply (default ${DEFAULT-VALUE}).")
    double timeout;

    @Override
    public Integer call() throws Exception {
        NetworkCommand.Target t = NetworkCommand.Target.parse(network);
        if (count < 1 || count > 100_000) throw new CliError(CliError.USAGE, "--count must be 1..100000");
        if (!(interval >= 0 && interval <= 3600)) throw new CliError(CliError.USAGE, "--interval must be 0..3600 seconds");
        long timeoutMs = Math.round(timeout * 1000);
        if (timeoutMs < 1 || timeoutMs > 60_000) throw new CliError(CliError.USAGE, "--timeout must be 0.001..60 seconds");
        var body = JSON.createObjectNode();
        body.put("ip", ip);
        body.put("timeoutMs", timeoutMs);
        byte[] request = body.toString().getBytes(StandardCharsets.UTF_8);
        String shown = RootsetCommand.printable(ip);
        System.out.println("PING " + shown + " on network " + t.nwid() + " from the node's userspace NIC");
        List<Double> rtts = new ArrayList<>();
        for (int seq = 1; seq <= count; seq++) {
            long start = System.nanoTime();
            ApiClient.Reply r = StatusCommand.send(where.socket(), "POST", "/planetary/ping/" + t.nwid(), request, "'planetary node'");
            if (r.status() == 200) {
                double ms = JSON.readTree(r.body()).path("rttMs").asDouble();
                rtts.add(ms);
                System.out.println(String.format(Locale.ROOT, "reply from %s: seq=%d time=%.2f ms", shown, seq, ms));
            } else if (r.status() == 504) {
                System.out.println("no reply from " + shown + ": seq=" + seq);
            } else {
                throw new CliError(CliError.FAILED, "ping-vl2: HTTP " + r.status() + " " + RootsetCommand.printable(StatusCommand.errorText(r.body())));
            }
            long rest = Math.round(interval * 1e9) - (System.nanoTime() - start);
            if (seq < count && rest > 0) LockSupport.parkNanos(rest);
        }
        int lost = count - rtts.size();
        System.out.println(String.format(Locale.ROOT, "--- %s ping-vl2 statistics ---%n%d sent, %d received, %.0f%% loss", shown, count, rtts.size(), 100.0 * lost / count));
        if (!rtts.isEmpty()) {
            System.out.println(String.format(Locale.ROOT, "rtt min/avg/max = %.2f/%.2f/%.2f ms", rtts.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                    rtts.stream().mapToDouble(Double::doubleValue).average().orElse(0), rtts.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
        }
        return rtts.isEmpty() ? 1 : 0;
    }
}
