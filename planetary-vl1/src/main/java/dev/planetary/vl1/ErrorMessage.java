package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.List;
import java.util.Objects;

/**
 * ERROR ({@code 0x02}): {@code 0x02 ‖ u8 in-re verb ‖ u32 in-re request id (0 if the cause was not a
 * request) ‖ u8 code ‖ body} (§3.4). The body is fixed by the code (and, for OBJ_NOT_FOUND, by the
 * in-re verb); {@link #detail} holds it as the matching {@link Detail} record. Codes this version does
 * not know keep their body as {@link Detail.Opaque}.
 *
 * <table>
 *   <caption>Codes and bodies</caption>
 *   <tr><th>Code</th><th>Name</th><th>Body</th></tr>
 *   <tr><td>0x01</td><td>INVALID_REQUEST</td><td>—</td></tr>
 *   <tr><td>0x02</td><td>BAD_PROTOCOL_VERSION</td><td>u16 supported version</td></tr>
 *   <tr><td>0x03</td><td>OBJ_NOT_FOUND</td><td>WHOIS: u8 n (1..32) ‖ n × Address; NETWORK_CONFIG_REQUEST, NETWORK_CREDENTIALS: u64 nwid; other verbs: opaque</td></tr>
 *   <tr><td>0x04</td><td>IDENTITY_COLLISION</td><td>Address</td></tr>
 *   <tr><td>0x05</td><td>UNSUPPORTED_OPERATION</td><td>—</td></tr>
 *   <tr><td>0x06</td><td>NEED_MEMBERSHIP_CERTIFICATE</td><td>u64 nwid</td></tr>
 *   <tr><td>0x07</td><td>NETWORK_ACCESS_DENIED</td><td>u64 nwid ‖ u8 reason</td></tr>
 *   <tr><td>0x08</td><td>UNWANTED_MULTICAST</td><td>u64 nwid ‖ 6 MAC ‖ u32 ADI</td></tr>
 *   <tr><td>0x09</td><td>NETWORK_AUTHENTICATION_REQUIRED</td><td>reserved: opaque</td></tr>
 *   <tr><td>0x0a</td><td>RATE_LIMITED</td><td>u16 retry-after seconds</td></tr>
 *   <tr><td>0x0b</td><td>RELAY_DENIED</td><td>Address dest ‖ u8 reason</td></tr>
 * </table>
 */
public record ErrorMessage(int inReVerb, int inReRequestId, int code, Detail detail) implements Vl1Message {

    public static final int INVALID_REQUEST = 0x01;
    public static final int BAD_PROTOCOL_VERSION = 0x02;
    public static final int OBJ_NOT_FOUND = 0x03;
    public static final int IDENTITY_COLLISION = 0x04;
    public static final int UNSUPPORTED_OPERATION = 0x05;
    public static final int NEED_MEMBERSHIP_CERTIFICATE = 0x06;
    public static final int NETWORK_ACCESS_DENIED = 0x07;
    public static final int UNWANTED_MULTICAST = 0x08;
    public static final int NETWORK_AUTHENTICATION_REQUIRED = 0x09;
    public static final int RATE_LIMITED = 0x0a;
    public static final int RELAY_DENIED = 0x0b;

    /** RELAY_DENIED reasons (§3.4, §5.3). */
    public static final int RELAY_UNKNOWN = 1;
    public static final int RELAY_OFFLINE = 2;
    public static final int RELAY_RATE_LIMITED = 3;
    public static final int RELAY_MALFORMED = 4;
    public static final int RELAY_NOT_A_RELAY = 5;
    public static final int RELAY_BLOCKED = 6;

    /** NETWORK_ACCESS_DENIED reasons (§3.4). */
    public static final int ACCESS_DENIED = 0;
    public static final int ACCESS_PENDING_APPROVAL = 1;
    public static final int ACCESS_REVOKED = 2;

    public ErrorMessage {
        Vl1Message.requireU8(inReVerb, "in-re verb");
        Vl1Message.requireU8(code, "error code");
        Objects.requireNonNull(detail, "detail");
        Class<? extends Detail> want = detailType(code, inReVerb);
        if (!want.isInstance(detail)) {
            throw new IllegalArgumentException("ERROR " + codeName(code) + " in re " + Verb.name(inReVerb) + " takes a " + want.getSimpleName() + " body, not " + detail.getClass().getSimpleName());
        }
    }

    @Override
    public int verb() {
        return Verb.ERROR;
    }

    /** ERROR RATE_LIMITED with a retry-after in seconds (1..3,600). */
    public static ErrorMessage rateLimited(int inReVerb, int inReRequestId, int retryAfterSeconds) {
        if (retryAfterSeconds < Vl1Limits.RETRY_AFTER_MIN || retryAfterSeconds > Vl1Limits.RETRY_AFTER_MAX) {
            throw new IllegalArgumentException("retry-after " + retryAfterSeconds + " s is outside 1..3600 (§3.4)");
        }
        return new ErrorMessage(inReVerb, inReRequestId, RATE_LIMITED, new Detail.RetryAfter(retryAfterSeconds));
    }

    /** ERROR OBJ_NOT_FOUND answering a WHOIS, with the address list (§3.9). */
    public static ErrorMessage whoisNotFound(int inReRequestId, List<Address> addresses) {
        return new ErrorMessage(Verb.WHOIS, inReRequestId, OBJ_NOT_FOUND, new Detail.Addresses(addresses));
    }

    /** ERROR RELAY_DENIED (§5.3); RELAY carries no request id, so the in-re request id is 0. */
    public static ErrorMessage relayDenied(Address destination, int reason) {
        return new ErrorMessage(Verb.RELAY, 0, RELAY_DENIED, new Detail.RelayDenied(destination, reason));
    }

    /** ERROR UNSUPPORTED_OPERATION for an unknown verb: in-re request id 0 (§3.4). */
    public static ErrorMessage unsupported(int verb) {
        return new ErrorMessage(verb, 0, UNSUPPORTED_OPERATION, Detail.NONE);
    }

    /**
     * The retry-after a receiver obeys (§3.4): 0 reads as 1, values above 3,600 as 3,600;
     * -1 if this is not RATE_LIMITED.
     */
    public int effectiveRetryAfterSeconds() {
        if (!(detail instanceof Detail.RetryAfter r)) return -1;
        return Math.min(Vl1Limits.RETRY_AFTER_MAX, Math.max(Vl1Limits.RETRY_AFTER_MIN, r.seconds()));
    }

    /** The body layout a (code, in-re verb) pair takes. */
    static Class<? extends Detail> detailType(int code, int inReVerb) {
        return switch (code) {
            case INVALID_REQUEST, UNSUPPORTED_OPERATION -> Detail.None.class;
            case BAD_PROTOCOL_VERSION -> Detail.Version.class;
            case OBJ_NOT_FOUND -> switch (inReVerb) {
                case Verb.WHOIS -> Detail.Addresses.class;
                case Verb.NETWORK_CONFIG_REQUEST, Verb.NETWORK_CREDENTIALS -> Detail.NetworkId.class;
                default -> Detail.Opaque.class;
            };
            case IDENTITY_COLLISION -> Detail.Collision.class;
            case NEED_MEMBERSHIP_CERTIFICATE -> Detail.NetworkId.class;
            case NETWORK_ACCESS_DENIED -> Detail.AccessDenied.class;
            case UNWANTED_MULTICAST -> Detail.UnwantedMulticast.class;
            case RATE_LIMITED -> Detail.RetryAfter.class;
            case RELAY_DENIED -> Detail.RelayDenied.class;
            default -> Detail.Opaque.class; // NETWORK_AUTHENTICATION_REQUIRED (reserved) and unknown codes
        };
    }

    public static String codeName(int code) {
        return switch (code) {
            case INVALID_REQUEST -> "INVALID_REQUEST";
            case BAD_PROTOCOL_VERSION -> "BAD_PROTOCOL_VERSION";
            case OBJ_NOT_FOUND -> "OBJ_NOT_FOUND";
            case IDENTITY_COLLISION -> "IDENTITY_COLLISION";
            case UNSUPPORTED_OPERATION -> "UNSUPPORTED_OPERATION";
            case NEED_MEMBERSHIP_CERTIFICATE -> "NEED_MEMBERSHIP_CERTIFICATE";
            case NETWORK_ACCESS_DENIED -> "NETWORK_ACCESS_DENIED";
            case UNWANTED_MULTICAST -> "UNWANTED_MULTICAST";
            case NETWORK_AUTHENTICATION_REQUIRED -> "NETWORK_AUTHENTICATION_REQUIRED";
            case RATE_LIMITED -> "RATE_LIMITED";
            case RELAY_DENIED -> "RELAY_DENIED";
            default -> String.format("0x%02x", code);
        };
    }

    /** An ERROR body. */
    public sealed interface Detail {
        None NONE = new None();

        /** No body (INVALID_REQUEST, UNSUPPORTED_OPERATION). */
        record None() implements Detail {}

        /** BAD_PROTOCOL_VERSION: the version the sender supports. */
        record Version(int supported) implements Detail {
            public Version {
                Vl1Message.requireU16(supported, "supported version");
            }
        }

        /** OBJ_NOT_FOUND for WHOIS: the addresses asked for, 1..32. */
        record Addresses(List<Address> addresses) implements Detail {
            public Addresses {
                addresses = List.copyOf(addresses);
                if (addresses.isEmpty() || addresses.size() > Vl1Limits.MAX_WHOIS_ADDRESSES) {
                    throw new IllegalArgumentException("OBJ_NOT_FOUND lists " + addresses.size() + " addresses; 1..32 allowed");
                }
            }
        }

        /** OBJ_NOT_FOUND for network queries, NEED_MEMBERSHIP_CERTIFICATE: a network id. */
        record NetworkId(long nwid) implements Detail {}

        /** IDENTITY_COLLISION: the contested address. */
        record Collision(Address address) implements Detail {
            public Collision {
                Objects.requireNonNull(address, "address");
            }
        }

        /** NETWORK_ACCESS_DENIED: network id and reason (0 denied, 1 pending approval, 2 revoked; others kept). */
        record AccessDenied(long nwid, int reason) implements Detail {
            public AccessDenied {
                Vl1Message.requireU8(reason, "access-denied reason");
            }
        }

        /** UNWANTED_MULTICAST: network id, 48-bit MAC, ADI. */
        record UnwantedMulticast(long nwid, long mac, int adi) implements Detail {
            public UnwantedMulticast {
                if (mac < 0 || mac >= (1L << 48)) throw new IllegalArgumentException("a MAC is 48 bits");
            }
        }

        /** RATE_LIMITED: retry-after in seconds as sent (see {@link ErrorMessage#effectiveRetryAfterSeconds}). */
        record RetryAfter(int seconds) implements Detail {
            public RetryAfter {
                Vl1Message.requireU16(seconds, "retry-after");
            }
        }

        /** RELAY_DENIED: destination and reason (1 unknown … 6 blocked by the destination; others kept). */
        record RelayDenied(Address destination, int reason) implements Detail {
            public RelayDenied {
                Objects.requireNonNull(destination, "destination");
                Vl1Message.requireU8(reason, "relay-denied reason");
            }
        }

        /** A body this version does not interpret. */
        record Opaque(Bytes body) implements Detail {
            public Opaque {
                Objects.requireNonNull(body, "body");
            }
        }
    }
}
