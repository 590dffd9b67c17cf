package dev.planetary.vl1;

/** VL1 verb numbers (§3.4). A message is {@code verb (u8) ‖ body}. */
public final class Verb {
    private Verb() {}

    public static final int NOP = 0x00;
    public static final int HELLO = 0x01;
    public static final int ERROR = 0x02;
    public static final int OK = 0x03;
    public static final int WHOIS = 0x04;
    public static final int RENDEZVOUS = 0x05;
    public static final int FRAME = 0x06;
    public static final int EXT_FRAME = 0x07;
    public static final int ECHO = 0x08;
    public static final int MULTICAST_LIKE = 0x09;
    public static final int NETWORK_CREDENTIALS = 0x0a;
    public static final int NETWORK_CONFIG_REQUEST = 0x0b;
    public static final int NETWORK_CONFIG = 0x0c;
    public static final int MULTICAST_GATHER = 0x0d;
    public static final int MULTICAST_FRAME = 0x0e;
    public static final int PUSH_DIRECT_PATHS = 0x10;
    public static final int USER_MESSAGE = 0x14;
    public static final int RELAY = 0x18;
    public static final int ROOT_SET = 0x19;
    public static final int RENDEZVOUS_REQUEST = 0x1a;
    public static final int RELAY_BLOCK = 0x1b;
    public static final int PORT_FORWARD = 0x1c;
    public static final int SEQEX = 0x1e;

    /** The spec's name of a verb, or {@code "0x.."} for an unassigned number. */
    public static String name(int verb) {
        return switch (verb) {
            case NOP -> "NOP";
            case HELLO -> "HELLO";
            case ERROR -> "ERROR";
            case OK -> "OK";
            case WHOIS -> "WHOIS";
            case RENDEZVOUS -> "RENDEZVOUS";
            case FRAME -> "FRAME";
            case EXT_FRAME -> "EXT_FRAME";
            case ECHO -> "ECHO";
            case MULTICAST_LIKE -> "MULTICAST_LIKE";
            case NETWORK_CREDENTIALS -> "NETWORK_CREDENTIALS";
            case NETWORK_CONFIG_REQUEST -> "NETWORK_CONFIG_REQUEST";
            case NETWORK_CONFIG -> "NETWORK_CONFIG";
            case MULTICAST_GATHER -> "MULTICAST_GATHER";
            case MULTICAST_FRAME -> "MULTICAST_FRAME";
            case PUSH_DIRECT_PATHS -> "PUSH_DIRECT_PATHS";
            case USER_MESSAGE -> "USER_MESSAGE";
            case RELAY -> "RELAY";
            case ROOT_SET -> "ROOT_SET";
            case RENDEZVOUS_REQUEST -> "RENDEZVOUS_REQUEST";
            case RELAY_BLOCK -> "RELAY_BLOCK";
            case PORT_FORWARD -> "PORT_FORWARD";
            case SEQEX -> "SEQEX";
            default -> String.format("0x%02x", verb & 0xff);
        };
    }

    /** True for verbs whose first four body bytes are a request id (§3.4; MULTICAST_FRAME keeps it elsewhere). */
    public static boolean carriesRequestIdFirst(int verb) {
        return verb == HELLO || verb == WHOIS || verb == ECHO || verb == MULTICAST_GATHER;
    }
}
