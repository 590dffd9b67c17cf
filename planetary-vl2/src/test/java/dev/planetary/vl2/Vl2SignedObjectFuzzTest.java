package dev.planetary.vl2;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes the NetworkConfig, MemberCredential and RevocationList parsers (see {@link Vl2DecoderFuzzTest#signedObjects}). */
class Vl2SignedObjectFuzzTest {
    @FuzzTest(maxDuration = "6s")
    void parseSignedObject(FuzzedDataProvider data) {
        Vl2DecoderFuzzTest.signedObjects(data);
    }
}
