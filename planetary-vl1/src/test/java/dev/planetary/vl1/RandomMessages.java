package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random, valid VL1 messages of every kind with random field values (tests and fuzz seeds). */
final class RandomMessages {
    private final SplittableRandom rnd;

    RandomMessages(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    int requestId() {
        int id;
        do id = rnd.nextInt(); while (id == 0);
        return id;
    }

    Address address() {
        long v;
        do v = rnd.nextLong() & ((1L << 40) - 1); while (!Address.isValid(v));
        return new Address(v);
    }

    Bytes bytes(int min, int max) {
        byte[] b = new byte[min + rnd.nextInt(max - min + 1)];
        rnd.nextBytes(b);
        return Bytes.of(b);
    }

    Endpoint endpoint() {
        return switch (rnd.nextInt(5)) {
            case 0 -> Endpoint.NONE;
            case 1 -> Endpoint.Udp.of(bytes(4, 4).toArray(), rnd.nextInt(65536));
            case 2 -> Endpoint.Udp.of(bytes(16, 16).toArray(), rnd.nextInt(65536));
            case 3 -> new Endpoint.Unknown(rnd.nextBoolean() ? Endpoint.TYPE_IPV4_TCP : Endpoint.TYPE_IPV6_TCP, bytes(0, 20));
            default -> {
                int t;
                do t = rnd.nextInt(256); while (t == 0 || t == 4 || t == 6);
                yield new Endpoint.Unknown(t, bytes(0, 40));
            }
        };
    }

    SoftwareVersion software() {
        return new SoftwareVersion(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256));
    }

    List<Tlv> helloTlvs() {
        List<Tlv> t = new ArrayList<>();
        int sets = rnd.nextInt(4);
        for (int i = 0; i < sets; i++) t.add(new RootSetSummary(rnd.nextLong(), rnd.nextLong()).toTlv());
        if (rnd.nextBoolean()) t.add(new Tlv(Hello.TLV_OS_ARCH, bytes(0, 24)));
        if (rnd.nextInt(4) == 0) t.add(new Tlv(0x83 + rnd.nextInt(0x7c), bytes(0, 10)));
        t.sort((a, b) -> Integer.compare(a.type(), b.type()));
        return t;
    }

    List<Tlv> optionalTlvs() {
        List<Tlv> t = new ArrayList<>();
        int n = rnd.nextInt(3);
        for (int i = 0; i < n; i++) t.add(new Tlv(0x80 + rnd.nextInt(0x80), bytes(0, 8)));
        t.sort((a, b) -> Integer.compare(a.type(), b.type()));
        return t;
    }

    List<Address> addresses(int min, int max) {
        int n = min + rnd.nextInt(max - min + 1);
        List<Address> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(address());
        return out;
    }

    ErrorMessage error() {
        int verb = rnd.nextInt(256);
        int rid = rnd.nextInt();
        int code = rnd.nextInt(14);
        if (code == ErrorMessage.OBJ_NOT_FOUND && rnd.nextBoolean()) verb = Verb.WHOIS;
        if (code == ErrorMessage.OBJ_NOT_FOUND && rnd.nextInt(3) == 0) verb = Verb.NETWORK_CONFIG_REQUEST;
        Class<? extends ErrorMessage.Detail> k = ErrorMessage.detailType(code, verb);
        ErrorMessage.Detail d;
        if (k == ErrorMessage.Detail.None.class) d = ErrorMessage.Detail.NONE;
        else if (k == ErrorMessage.Detail.Version.class) d = new ErrorMessage.Detail.Version(rnd.nextInt(65536));
        else if (k == ErrorMessage.Detail.Addresses.class) d = new ErrorMessage.Detail.Addresses(addresses(1, 32));
        else if (k == ErrorMessage.Detail.NetworkId.class) d = new ErrorMessage.Detail.NetworkId(rnd.nextLong());
        else if (k == ErrorMessage.Detail.Collision.class) d = new ErrorMessage.Detail.Collision(address());
        else if (k == ErrorMessage.Detail.AccessDenied.class) d = new ErrorMessage.Detail.AccessDenied(rnd.nextLong(), rnd.nextInt(3));
        else if (k == ErrorMessage.Detail.UnwantedMulticast.class) d = new ErrorMessage.Detail.UnwantedMulticast(rnd.nextLong(), rnd.nextLong() & 0xffffffffffffL, rnd.nextInt());
        else if (k == ErrorMessage.Detail.RetryAfter.class) d = new ErrorMessage.Detail.RetryAfter(rnd.nextInt(65536));
        else if (k == ErrorMessage.Detail.RelayDenied.class) d = new ErrorMessage.Detail.RelayDenied(address(), 1 + rnd.nextInt(6));
        else d = new ErrorMessage.Detail.Opaque(bytes(0, 30));
        return new ErrorMessage(verb, rid, code, d);
    }

    Ok ok() {
        return switch (rnd.nextInt(4)) {
            case 0 -> new Ok.HelloReply(requestId(), rnd.nextInt(65536), rnd.nextInt(256), software(), rnd.nextLong(), endpoint(), optionalTlvs());
            case 1 -> new Ok.EchoReply(requestId(), rnd.nextLong(), endpoint());
            case 2 -> {
                List<Ok.WhoisRecord> recs = new ArrayList<>();
                int m = rnd.nextInt(5);
                for (int i = 0; i < m; i++) recs.add(new Ok.WhoisRecord(address(), bytes(195, 195)));
                yield new Ok.WhoisReply(requestId(), recs);
            }
            default -> {
                int v;
                do v = rnd.nextInt(256); while (v == Verb.HELLO || v == Verb.ECHO || v == Verb.WHOIS);
                yield new Ok.Other(v, rnd.nextInt(), bytes(0, 40));
            }
        };
    }

    /** One message of a random kind. */
    Vl1Message any() {
        return switch (rnd.nextInt(14)) {
            case 0 -> new Nop(bytes(0, 20));
            case 1 -> new Hello(requestId(), rnd.nextInt(4), rnd.nextInt(256), software(), rnd.nextLong(), helloTlvs());
            case 2 -> error();
            case 3 -> ok();
            case 4 -> new Whois(requestId(), addresses(1, 32));
            case 5 -> new Echo(requestId(), rnd.nextInt(256), rnd.nextLong());
            case 6 -> new UserMessage(rnd.nextLong(), bytes(0, 100));
            case 7 -> new Relay(rnd.nextInt(8), address(), address(), bytes(32, 1188));
            case 8 -> new RootSet(bytes(1, 400));
            case 9 -> new RelayBlock(address(), rnd.nextInt(3601));
            case 10 -> new RendezvousRequest(address());
            case 11 -> {
                List<Endpoint> eps = new ArrayList<>();
                int n = 1 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) eps.add(endpoint());
                yield new Rendezvous(rnd.nextInt(256), address(), eps);
            }
            case 12 -> {
                List<PushDirectPaths.Path> ps = new ArrayList<>();
                int n = 1 + rnd.nextInt(16);
                for (int i = 0; i < n; i++) ps.add(new PushDirectPaths.Path(rnd.nextInt(256), endpoint()));
                yield new PushDirectPaths(ps);
            }
            default -> ok();
        };
    }
}
