package io.mbllm.engine.oracle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One {@code *.greedy.json} of the llama.cpp oracle: the prompt ids, the 32 greedy ids, and per step the top-5
 * raw logits and {@code margin12}.
 *
 * @param name      the oracle name ({@code llama-1b-Q8_0}, {@code llama-1b-Q4_K_M.norepack})
 * @param prompt    prompt token ids
 * @param generated generated token ids
 * @param steps     one entry per generated token
 */
record GreedyOracle(String name, int[] prompt, int[] generated, List<Step> steps) {

    /**
     * One step: the token llama.cpp picked, its top-5 (ids and raw logits, best first) and top1 − top2.
     *
     * @param pos      position of the token in the sequence
     * @param token    the greedy token
     * @param topIds   top-5 ids
     * @param topLogits their raw logits
     * @param margin12 top1 − top2
     */
    record Step(int pos, int token, int[] topIds, float[] topLogits, double margin12) {}

    /** Reads {@code <name>.greedy.json} from the oracle folder. */
    static GreedyOracle load(String name) throws IOException {
        JsonNode j = new ObjectMapper().readTree(OracleData.file(name + ".greedy.json").toFile());
        List<Step> steps = new ArrayList<>();
        for (JsonNode s : j.get("steps")) {
            JsonNode top = s.get("top");
            int[] ids = new int[top.size()];
            float[] logits = new float[top.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = top.get(i).get(0).asInt();
                logits[i] = (float) top.get(i).get(1).asDouble();
            }
            steps.add(new Step(s.get("pos").asInt(), s.get("token").asInt(), ids, logits, s.get("margin12").asDouble()));
        }
        return new GreedyOracle(name, ints(j.get("prompt_tokens")), ints(j.get("generated_tokens")), List.copyOf(steps));
    }

    /** The full first-step logit vector {@code <name>.first-logits.f32} (little-endian float32). */
    static float[] firstLogits(String name) throws IOException {
        Path p = OracleData.file(name + ".first-logits.f32");
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
