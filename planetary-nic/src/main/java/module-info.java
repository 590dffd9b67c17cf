/**
 * The VL2 virtual NIC (VL.md §12): the derivations a network member needs before any frame moves
 * (MAC §9.1, rfc4193 address §10.6, EUI-64 link-local §9.5, TAP name §12.2), a Linux TAP device
 * reached through the FFM API (§12.1) and a userspace Ethernet endpoint for tests (§12.7). Both NICs
 * implement {@link dev.planetary.nic.VirtualNic}. Callers pass {@code --enable-native-access=dev.planetary.nic}.
 */
module dev.planetary.nic {
    exports dev.planetary.nic;
}
