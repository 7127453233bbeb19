package io.mbllm.engine.oracle;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.synth.SynthShape;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.mix.FileType;

/**
 * Step 2 of the oracle: mbllm's whole-model quantizer turns the synthetic F16 models into files byte-identical
 * to {@code llama-quantize}'s: the per-tensor hashes, types, shapes and data offsets of
 * {@code llama-1b.tensor-sha256.json}, then the whole-file SHA-256 of {@code models.sha256}.
 */
@Tag("oracle")
class QuantizedModelsOracleTest {

    @Test
    void llama1bQ8_0MatchesLlamaQuantize() throws Exception {
        OracleTiers.assumeOn("llama-1b Q8_0 quantization");
        check(SynthShape.LLAMA_1B, FileType.Q8_0);
    }

    @Test
    void llama1bQ4_K_MMatchesLlamaQuantize() throws Exception {
        OracleTiers.assumeOn("llama-1b Q4_K_M quantization");
        check(SynthShape.LLAMA_1B, FileType.Q4_K_M);
    }

    @Test
    void stablelm3bQ8_0MatchesLlamaQuantize() throws Exception {
        OracleTiers.assumeFull("stablelm-3b Q8_0 quantization");
        check(SynthShape.STABLELM_3B, FileType.Q8_0);
    }

    @Test
    void stablelm3bQ4_K_MMatchesLlamaQuantize() throws Exception {
        OracleTiers.assumeFull("stablelm-3b Q4_K_M quantization");
        check(SynthShape.STABLELM_3B, FileType.Q4_K_M);
    }

    private static void check(SynthShape shape, FileType type) throws Exception {
        String ref = QuantizedModels.referenceName(shape, type);
        QuantizedModels.Model m = QuantizedModels.get(shape, type);
        String tag = shape.name() + " " + type.displayName();
        if (!m.quantized()) OracleTiming.record(tag + ": verify cached file", m.hash());
        JsonNode tensors = new ObjectMapper().readTree(OracleData.file("llama-1b.tensor-sha256.json").toFile()).get(ref);
        if (tensors != null) checkTensors(m, tensors);
        assertEquals(OracleData.modelHash(ref), m.sha256(), m.path() + " vs llama.cpp's " + ref);
    }

    /** Every tensor listed for this file: type, ne, byte count, absolute data offset and SHA-256 of its data. */
    private static void checkTensors(QuantizedModels.Model m, JsonNode expected) throws Exception {
        List<Executable> checks = new ArrayList<>();
        try (GgufFile f = GgufFile.open(m.path())) {
            for (var it = expected.fields(); it.hasNext(); ) {
                var e = it.next();
                String name = e.getKey();
                JsonNode r = e.getValue();
                TensorInfo t = f.findTensor(name).orElse(null);
                assertTrue(t != null, name + " missing from " + m.path());
                long[] ne = new long[r.get("ne").size()];
                for (int i = 0; i < ne.length; i++) ne[i] = r.get("ne").get(i).asLong();
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(f.tensorData(t).asByteBuffer());
                String sha = HexFormat.of().formatHex(md.digest());
                long offset = f.dataOffset() + t.offset();
                checks.add(() -> assertEquals(r.get("type").asText(), t.type().ggmlName().toUpperCase(), name + " type"));
                checks.add(() -> assertArrayEquals(ne, t.ne(), name + " ne"));
                checks.add(() -> assertEquals(r.get("n_bytes").asLong(), t.byteSize(), name + " bytes"));
                checks.add(() -> assertEquals(r.get("data_offset").asLong(), offset, name + " data offset"));
                checks.add(() -> assertEquals(r.get("sha256").asText(), sha, name + " data SHA-256"));
            }
        }
        assertEquals(8, expected.size());
        assertAll(checks);
    }
}
