package dev.planetary.controller;

/** A managed route of a network (VL.md §7.4 field 0x0a): target, optional gateway, metric. */
public record Route(Ip.Prefixed target, Ip via, int metric) {
    public Route {
        if (via != null && via.family() != target.ip().family()) throw new IllegalArgumentException("route via " + via + " is not the family of " + target);
        if (metric < 0 || metric > 0xFFFF) throw new IllegalArgumentException("route metric is a u16");
        target = new Ip.Prefixed(target.ip().network(target.prefix()), target.prefix());
    }
}
