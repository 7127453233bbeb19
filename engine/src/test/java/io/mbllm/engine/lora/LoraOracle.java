package io.mbllm.engine.lora;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.testkit.SharedData;

/** One llama.cpp oracle run of {@code testdata/lora-oracle}: its tokens, top-5 per step and all logits. */
record LoraOracle(String name, List<String> adapterFiles, List<Float> scales, int[] prompt, int[] generated,
                  int[][] topIds, float[][] topLogits, float[] logits) {
    static final String DIR = "testdata/lora-oracle/";
    static final int VOCAB = 512;

    /** Reads {@code <case>.kvf32-nofa.*} (the all-F32 pipeline) or the default-settings files. */
    static LoraOracle read(String name, boolean allF32) throws IOException {
        String stem = name + (allF32 ? ".kvf32-nofa" : "");
        JsonNode j = new ObjectMapper().readTree(SharedData.require(DIR + stem + ".greedy.json").toFile());
        List<String> files = new ArrayList<>();
        List<Float> scales = new ArrayList<>();
        for (JsonNode a : j.get("adapters")) {
            files.add(a.get("file").asText());
            scales.add((float) a.get("scale").asDouble());
        }
        int[] prompt = ints(j.get("prompt_tokens"));
        int[] gen = ints(j.get("generated_tokens"));
        JsonNode steps = j.get("steps");
        int[][] ids = new int[steps.size()][];
        float[][] vals = new float[steps.size()][];
        for (int s = 0; s < steps.size(); s++) {
            JsonNode top = steps.get(s).get("top");
            ids[s] = new int[top.size()];
            vals[s] = new float[top.size()];
            for (int k = 0; k < top.size(); k++) {
                ids[s][k] = top.get(k).get(0).asInt();
                vals[s][k] = (float) top.get(k).get(1).asDouble();
            }
        }
        Path lf = SharedData.require(DIR + stem + ".logits.f32");
        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(lf)).order(ByteOrder.LITTLE_ENDIAN);
        float[] logits = new float[bb.remaining() / 4];
        bb.asFloatBuffer().get(logits);
        return new LoraOracle(name, files, scales, prompt, gen, ids, vals, logits);
    }

    private static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
        return out;
    }

    /** Prompt then generated tokens. */
    int[] allTokens() {
        int[] all = new int[prompt.length + generated.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        return all;
    }
}
