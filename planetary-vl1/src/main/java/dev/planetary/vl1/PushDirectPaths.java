package dev.planetary.vl1;

import java.util.List;
import java.util.Objects;

/**
 * PUSH_DIRECT_PATHS ({@code 0x10}, only to trusted peers): {@code 0x10 ‖ u8 n (1..16) ‖ n × (u8 flags ‖
 * Endpoint)} (§5.7). Flags: bit0 local interface address (LAN), bit1 static / forwarded / port-mapped,
 * bit2 external endpoint observed by roots; other bits kept as sent.
 */
public record PushDirectPaths(List<PushDirectPaths.Path> paths) implements Vl1Message {
    public static final int MAX_PATHS = 16;
    public static final int LAN = 0x01;
    public static final int STATIC = 0x02;
    public static final int OBSERVED = 0x04;

    /** One pushed endpoint with its flags. */
    public record Path(int flags, Endpoint endpoint) {
        public Path {
            Vl1Message.requireU8(flags, "path flags");
            Objects.requireNonNull(endpoint, "endpoint");
        }
    }

    public PushDirectPaths {
        paths = List.copyOf(paths);
        if (paths.isEmpty() || paths.size() > MAX_PATHS) {
            throw new IllegalArgumentException("PUSH_DIRECT_PATHS carries " + paths.size() + " paths; 1..16 allowed (§5.7)");
        }
    }

    @Override
    public int verb() {
        return Verb.PUSH_DIRECT_PATHS;
    }
}
