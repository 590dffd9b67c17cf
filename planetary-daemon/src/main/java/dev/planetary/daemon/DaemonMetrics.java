package dev.planetary.daemon;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * {@code GET /metrics} (Prometheus text format, through Micrometer): the engine's counters, taken
 * from a {@link Vl1Engine.Snapshot} refreshed at every scrape, and the driver's and the API's own.
 * Names are listed in docs/operations.md. An engine counter is a drop reason unless it is one of
 * the outcomes below; new names become new {@code reason} labels as they appear.
 */
public final class DaemonMetrics {
    /** Engine counters that are outcomes, not drops: name → (metric, label value). */
    private static final Map<String, String[]> OUTCOMES = Map.ofEntries(
            Map.entry("verified", new String[] {"planetary.identity.verifications", "ok"}),
            Map.entry("verification_failed", new String[] {"planetary.identity.verifications", "failed"}),
            Map.entry("verification_refused", new String[] {"planetary.identity.verifications", "refused"}),
            Map.entry("hello_admitted", new String[] {"planetary.handshakes", "admitted"}),
            Map.entry("hello_not_admitted", new String[] {"planetary.handshakes", "not_admitted"}),
            Map.entry("root_set_accepted", new String[] {"planetary.rootset.pushes", "accepted"}),
            Map.entry("root_set_refused", new String[] {"planetary.rootset.pushes", "refused"}),
            Map.entry("root_set_pushed", new String[] {"planetary.rootset.pushes", "sent"}),
            Map.entry("whois_sent", new String[] {"planetary.whois", "sent"}),
            Map.entry("whois_answered", new String[] {"planetary.whois", "answered"}),
            Map.entry("whois_resolved", new String[] {"planetary.whois", "resolved"}),
            Map.entry("whois_failed", new String[] {"planetary.whois", "failed"}),
            Map.entry("whois_rate_limited", new String[] {"planetary.whois", "rate_limited"}),
            Map.entry("relay_forwarded", new String[] {"planetary.relay.forwarded", null}),
            Map.entry("relayed_bytes", new String[] {"planetary.relay.bytes", null}),
            Map.entry("session_replaced", new String[] {"planetary.sessions.replaced", null}),
            Map.entry("error_received", new String[] {"planetary.errors.received", null}),
            Map.entry("messages_received", new String[] {"planetary.messages.received", null}),
            Map.entry("session_dead", new String[] {"planetary.sessions.dead", null}),
            Map.entry("hello_failed", new String[] {"planetary.hello.failed", null}),
            Map.entry("internal_error", new String[] {"planetary.engine.internal.errors", "vl1"}),
            Map.entry("zssp_internal_errors", new String[] {"planetary.engine.internal.errors", "zssp"}));
    /** Counters of the controller attached to a controller's VL2 layer (NodeEngine#attachedCounters). */
    private static final String CONTROLLER_PREFIX = "controller_";
    /** Gauges the engine reports as counters-map entries (current values, not totals). */
    private static final String RULES_PREFIX = "vl2_rules_";
    private static final Set<String> GAUGES = Set.of("verification_budget_used", "verification_queue");

    private final Set<String> registered = new java.util.HashSet<>();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<Vl1Engine.Snapshot> last = new AtomicReference<>(
            new Vl1Engine.Snapshot(false, java.util.List.of(), Map.of(), java.util.List.of(), Map.of()));

    public DaemonMetrics(String role, UdpDriver.Counters udp, ApiServer api) {
        registry.config().commonTags("role", role);
        Gauge.builder("planetary.online", last, r -> r.get().online() ? 1 : 0).description("1 while a root session has an alive path (§4.3)").register(registry);
        Gauge.builder("planetary.sessions", last, r -> r.get().peers().stream().filter(p -> "established".equals(p.sessionState())).count())
                .description("established peer sessions").register(registry);
        Gauge.builder("planetary.peers", last, r -> r.get().peers().size()).description("peer records").register(registry);
        Gauge.builder("planetary.paths", last, r -> r.get().peers().stream().mapToLong(p -> p.paths().stream().filter(Vl1Engine.PathView::active).count()).sum())
                .description("active paths over all peers").register(registry);
        Gauge.builder("planetary.paths.relayed", last, r -> r.get().peers().stream().filter(p -> p.relayedVia() != null).count())
                .description("peers reached through a root's RELAY").register(registry);
        counter("planetary.udp.datagrams", udp.datagramsIn, "direction", "in", "datagrams at the UDP socket");
        counter("planetary.udp.datagrams", udp.datagramsOut, "direction", "out", "datagrams at the UDP socket");
        counter("planetary.udp.bytes", udp.bytesIn, "direction", "in", "UDP payload bytes at the socket");
        counter("planetary.udp.bytes", udp.bytesOut, "direction", "out", "UDP payload bytes at the socket");
        counter("planetary.udp.send.errors", udp.sendErrors, null, null, "datagrams the socket refused");
        counter("planetary.engine.errors", udp.engineErrors, null, null, "exceptions from the engine (bugs)");
        counter("planetary.debug.blocked.datagrams", udp.blockedDirect, null, null, "datagrams dropped by --debug-block-direct");
        String[] reasons = {"bad_request", "unauthorized", "busy"};
        for (int i = 0; i < reasons.length; i++) {
            int k = i;
            FunctionCounter.builder("planetary.api.rejected", api, a -> a.rejections()[k]).tag("reason", reasons[i])
                    .description("API requests refused").register(registry);
        }
        // present from the start, so dashboards see zeros rather than gaps
        for (String name : new String[] {"verified", "verification_failed", "verification_refused", "whois_sent", "whois_resolved",
                "relay_forwarded", "relayed_bytes"}) {
            engineMeter(name);
        }
    }

    private void counter(String name, LongAdder a, String tag, String value, String description) {
        FunctionCounter.Builder<LongAdder> b = FunctionCounter.builder(name, a, LongAdder::sum).description(description);
        if (tag != null) b.tag(tag, value);
        b.register(registry);
    }

    private void engineMeter(String counter) {
        if (!registered.add(counter)) return; // Micrometer warns on re-registration
        ToDoubleFunction<AtomicReference<Vl1Engine.Snapshot>> f = r -> r.get().counters().getOrDefault(counter, 0L);
        if (GAUGES.contains(counter)) {
            Gauge.builder("planetary." + counter.replace('_', '.'), last, f).register(registry);
            return;
        }
        if (counter.startsWith(RULES_PREFIX)) { // vl2_rules_<direction>_<verdict> (docs/vl2.md "Rules")
            String rest = counter.substring(RULES_PREFIX.length());
            int u = rest.indexOf('_');
            FunctionCounter.builder("planetary.vl2.rules", last, f).tag("direction", rest.substring(0, u)).tag("verdict", rest.substring(u + 1))
                    .description("rule decisions on frames (VL.md §11.4)").register(registry);
            return;
        }
        String[] o = OUTCOMES.get(counter);
        FunctionCounter.Builder<AtomicReference<Vl1Engine.Snapshot>> b;
        if (counter.startsWith(CONTROLLER_PREFIX)) { // outcomes and drops alike (docs/controller.md)
            b = FunctionCounter.builder("planetary.controller.events", last, f).tag("event", counter.substring(CONTROLLER_PREFIX.length()))
                    .description("the controller's outcomes and drops, by event");
        } else if (o == null) {
            b = FunctionCounter.builder("planetary.drops", last, f).tag("reason", counter).description("inputs dropped, by reason");
        } else {
            b = FunctionCounter.builder(o[0], last, f).description("engine outcomes (see docs/operations.md)");
            if (o[1] != null) b.tag(o[0].equals("planetary.engine.internal.errors") ? "layer" : "result", o[1]);
        }
        b.register(registry);
    }

    /** The Prometheus text for {@code snapshot}. */
    public synchronized String scrape(Vl1Engine.Snapshot snapshot) {
        last.set(snapshot);
        for (String name : snapshot.counters().keySet()) engineMeter(name);
        for (String table : snapshot.tables().keySet()) {
            if (registered.add("table:" + table)) {
                Gauge.builder("planetary.table.entries", last, r -> r.get().tables().getOrDefault(table, 0)).tag("table", table)
                        .description("entries of the engine's peer-fed tables").register(registry);
            }
        }
        return registry.scrape();
    }

    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }
}
