package dev.planetary.nic;

/**
 * A separate process for {@code TapPrivilegeTest}: opens a TAP (in the namespace named by the first
 * argument, or its own when "-") and prints {@code OK <name>} or {@code FAIL <message>}.
 */
final class TapProbe {
    private TapProbe() {
    }

    public static void main(String[] args) {
        try {
            java.util.concurrent.Callable<String> open = () -> {
                try (Tap t = Tap.open("plt-nic-probe")) {
                    t.setMac(MacAddress.derive(NetworkId.parse("8056c2e21c000001"), 0x89e92ceee5L));
                    t.setUp(true);
                    return t.name();
                }
            };
            String name = args[0].equals("-") ? open.call() : NetworkNamespace.callIn(args[0], open);
            System.out.println("OK " + name);
        } catch (Exception e) {
            System.out.println("FAIL " + e.getMessage());
        }
    }
}
