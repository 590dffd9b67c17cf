package dev.planetary.vl1;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Fuzzes the VL1 message decoder with hostile payloads. Invariants: {@link Vl1Codec#decode} returns
 * (never throws) and never takes its internal-error path; a decoded message is canonical (re-encodes
 * to exactly the input); a malformed result names the verb byte. Half the inputs start from a valid
 * random message and are mutated, so the fuzzer reaches deep fields quickly.
 * Short run (15 s) in every build (tag {@code jazzer}); for a long run, start the Jazzer main class
 * with {@code --target_class=dev.planetary.vl1.Vl1DecoderFuzzTest} on the module's test class path, as
 * {@code ./build fuzz} does for the planetary-zssp targets.
 */
class Vl1DecoderFuzzTest {
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        byte[] input;
        if (data.consumeBoolean()) {
            byte[] valid = new RandomMessages(data.consumeLong()).any().encode();
            int cut = data.consumeInt(0, valid.length);
            byte[] tail = data.consumeRemainingAsBytes();
            input = Arrays.copyOf(valid, cut + Math.min(tail.length, Vl1Limits.MAX_VL1_MESSAGE));
            for (int i = 0; i < tail.length && cut + i < input.length; i++) input[cut + i] ^= tail[i];
        } else {
            input = data.consumeRemainingAsBytes();
        }
        byte[] copy = input.clone();
        Decoded d = Vl1Codec.decode(input);
        if (!Arrays.equals(copy, input)) throw new AssertionError("decode modified its input");
        switch (d) {
            case Decoded.Message m -> {
                if (!Arrays.equals(m.message().encode(), input)) throw new AssertionError("not canonical: " + m.message());
            }
            case Decoded.Malformed m -> {
                if (m.reason().startsWith("internal error")) throw new AssertionError("decoder bug: " + m.reason());
                if (m.verb() != (input.length == 0 ? -1 : input[0] & 0xff)) throw new AssertionError("wrong verb in " + m);
            }
            case Decoded.Unsupported u -> {
                if (u.verb() != (input[0] & 0xff)) throw new AssertionError("wrong verb in " + u);
            }
        }
    }

    @FuzzTest(maxDuration = "8s")
    void decode(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}
