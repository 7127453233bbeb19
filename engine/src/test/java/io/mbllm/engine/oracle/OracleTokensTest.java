package io.mbllm.engine.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.synth.SynthShape;
import io.mbllm.engine.synth.SyntheticModel;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.Tokenizers;

/**
 * The tokenizer of each synthetic model (built from the metadata {@link SyntheticModel} writes, without the
 * weights) against the oracle: the prompt ids llama.cpp used, and the piece bytes of every token it generated.
 * Cheap, so not tagged {@code oracle}.
 */
class OracleTokensTest {
    private static final Map<SynthShape, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private static Tokenizer tokenizer(SynthShape shape) throws Exception {
        Tokenizer t = TOKENIZERS.get(shape);
        if (t == null) {
            t = Tokenizers.fromGguf(SyntheticModel.of(shape, SyntheticModels.SEED, SyntheticModels.vocab(shape)).metadata());
            TOKENIZERS.put(shape, t);
        }
        return t;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-1b-F16", "llama-1b-Q8_0", "llama-1b-Q4_K_M", "llama-1b-Q4_K_M.norepack",
            "stablelm-3b-Q8_0", "stablelm-3b-Q4_K_M", "stablelm-3b-Q4_K_M.norepack"})
    void promptIdsAndGeneratedPiecesMatchLlamaCpp(String oracle) throws Exception {
        SynthShape shape = oracle.startsWith("llama") ? SynthShape.LLAMA_1B : SynthShape.STABLELM_3B;
        Tokenizer tok = tokenizer(shape);
        JsonNode j = new ObjectMapper().readTree(OracleData.file(oracle + ".greedy.json").toFile());
        assertEquals(true, j.get("add_bos").asBoolean());
        assertEquals(true, j.get("parse_special").asBoolean());
        int[] prompt = GreedyOracle.load(oracle).prompt();
        assertArrayEquals(prompt, tok.encode(j.get("prompt").asText(), true, true), oracle + " prompt ids");
        int n = 0;
        for (JsonNode s : j.get("steps")) {
            int id = s.get("token").asInt();
            assertEquals(s.get("piece_hex").asText(), HexFormat.of().formatHex(tok.tokenPiece(id, true)),
                    oracle + " piece of " + id);
            n++;
        }
        assertEquals(32, n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-1b", "stablelm-3b"})
    void promptIdsMatchLlamaTokenize(String model) throws Exception {
        // llama-tokenize's own output, as saved next to the oracle (one "[id, id, ...]" line)
        List<String> lines = java.nio.file.Files.readAllLines(OracleData.file(model + ".prompt-tokens.llama-tokenize.txt"));
        String text = String.join("", lines).replaceAll("[\\[\\]\\s]", "");
        int[] want = java.util.Arrays.stream(text.split(",")).mapToInt(Integer::parseInt).toArray();
        SynthShape shape = SynthShape.byName(model).orElseThrow();
        Tokenizer tok = tokenizer(shape);
        assertArrayEquals(want, tok.encode("The quick brown fox jumps over the lazy dog. Once upon a time,", true, true));
    }
}
