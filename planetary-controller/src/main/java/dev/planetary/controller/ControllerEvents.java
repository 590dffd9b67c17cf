package dev.planetary.controller;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;

/** What the engine reports for the operator's event stream (VL.md §16.2). Implementations must not block. */
public interface ControllerEvents {
    ControllerEvents NONE = new ControllerEvents() {};

    /** {@code identity.collision} (§7.5 step 2): a request claimed the address of a row bound to another fingerprint. */
    default void collision(long nwid, Address address, Fingerprint bound, Fingerprint claimed) {}
}
