package io.mbllm.engine.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.mbllm.engine.synth.SynthShape;

/**
 * Step 1 of the oracle: the Java generator recreates the llama.cpp oracle's F16 models bit for bit (whole-file
 * SHA-256 of {@code models.sha256}). A cached file is reused only when it still hashes right;
 * {@code -Doracle.regenerate=true} forces a fresh generation.
 */
@Tag("oracle")
class SyntheticModelsOracleTest {
    private static final boolean REGENERATE = Boolean.getBoolean("oracle.regenerate");

    @Test
    void llama1bF16IsBitExact() throws Exception {
        OracleTiers.assumeOn("llama-1b F16 generation");
        check(SynthShape.LLAMA_1B);
    }

    @Test
    void stablelm3bF16IsBitExact() throws Exception {
        OracleTiers.assumeFull("stablelm-3b F16 generation (5.6 GB)");
        check(SynthShape.STABLELM_3B);
    }

    private static void check(SynthShape shape) throws Exception {
        SyntheticModels.Model m = OracleTiming.time(shape.name() + " F16: generate or verify cache",
                () -> SyntheticModels.f16(shape, REGENERATE));
        assertEquals(OracleData.modelHash(SyntheticModels.referenceName(shape)), m.sha256(), m.path().toString());
    }
}
