package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.List;

/**
 * WHOIS ({@code 0x04}, node → root): {@code 0x04 ‖ u32 request id ‖ u8 n (1..32) ‖ n × Address}
 * (§3.9). Answered by {@link Ok.WhoisReply} or ERROR OBJ_NOT_FOUND with the address list.
 */
public record Whois(int requestId, List<Address> addresses) implements Vl1Message {
    public Whois {
        Vl1Message.requireRequestId(requestId, "WHOIS");
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty() || addresses.size() > Vl1Limits.MAX_WHOIS_ADDRESSES) {
            throw new IllegalArgumentException("WHOIS asks for " + addresses.size() + " addresses; 1..32 allowed (§3.9)");
        }
    }

    @Override
    public int verb() {
        return Verb.WHOIS;
    }
}
