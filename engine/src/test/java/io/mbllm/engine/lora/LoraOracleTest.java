package io.mbllm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.mbllm.engine.ExactModeTags;
import io.mbllm.engine.generate.Greedy;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/**
 * Adapters applied at run time against llama.cpp's all-F32 oracle ({@code lora-oracle/<case>.kvf32-nofa.*}):
 * teacher-forced logits at all 48 positions × 512, free-running greedy tokens, top-5 per step.
 *
 * <p>Pinned to float32 attention numerics (float64 references, llama.cpp with F32 K/V): runs in the
 * {@code f32-attention} surefire execution with {@code -Dmbllm.exact=false}.
 */
@Tag(ExactModeTags.F32_ATTENTION)
class LoraOracleTest {
    static Parallel pool;
    static Model model;

    @BeforeAll
    static void load() throws Exception {
        pool = new Parallel(2);
        model = Model.open(SharedData.require("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
        if (pool != null) pool.close();
    }

    /** The adapters of an oracle case, opened (caller closes). */
    static List<ScaledLora> adapters(LoraOracle o) throws Exception {
        List<ScaledLora> out = new ArrayList<>();
        String dir = o.name().startsWith("edge/") ? LoraOracle.DIR + "edge/" : LoraOracle.DIR;
        for (int i = 0; i < o.adapterFiles().size(); i++) {
            Path p = SharedData.require(dir + o.adapterFiles().get(i));
            out.add(new ScaledLora(LoraAdapter.load(p), o.scales().get(i)));
        }
        return out;
    }

    static void closeAll(List<ScaledLora> l) {
        for (ScaledLora s : l) s.adapter().close();
    }

    static InferenceContext context(Model m, LoraSet set) {
        return m.newContext(ContextOptions.of(512).withMaxBatch(64).withParallel(pool).withLoras(set));
    }

    /** Logits after each of prompt[last] and generated[0 .. 46]: the 48 rows the oracle stores. */
    static float[] teacherForce(Model m, LoraSet set, LoraOracle o) throws Exception {
        int[] all = o.allTokens();
        int count = all.length - 1;
        float[] out = new float[count * LoraOracle.VOCAB];
        try (InferenceContext ctx = context(m, set)) {
            ctx.evaluateAll(all, 0, count, out);
        }
        int skip = (o.prompt().length - 1) * LoraOracle.VOCAB;
        float[] rows = new float[o.generated().length * LoraOracle.VOCAB];
        System.arraycopy(out, skip, rows, 0, rows.length);
        return rows;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs((double) a[i] - b[i]));
        return max;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "base,               1e-4",
            "lora-a.s1,          1e-4",
            "lora-a.s0.5,        1e-4",
            "lora-b.s1,          1e-4",
            "lora-a+b.s1,        1e-4",
            "lora-a-f16.s1,      5e-3",
            "lora-a-q8_0.s1,     5e-3",
            "edge/token-embd.s1, 1e-4",
    })
    void matchesTheAllF32Oracle(String name, double tolerance) throws Exception {
        LoraOracle o = LoraOracle.read(name, true);
        List<ScaledLora> ads = adapters(o);
        try {
            LoraSet set = LoraSet.bind(model, ads);
            // teacher forcing: every logit at every position
            float[] got = teacherForce(model, set, o);
            double err = maxAbsDiff(got, o.logits());
            System.out.printf(Locale.ROOT, "lora oracle %-20s max |logit error| over 48x512 = %.3g%n", name, err);
            assertTrue(err <= tolerance, name + ": max logit error " + err + " > " + tolerance);
            // free-running greedy: the 48 tokens, and the top-5 ids and logits per step
            try (InferenceContext ctx = context(model, set)) {
                float[] logits = ctx.evaluate(o.prompt());
                int[] gen = new int[o.generated().length];
                for (int s = 0; s < gen.length; s++) {
                    int[] top = top(logits, o.topIds()[s].length);
                    assertArrayEquals(o.topIds()[s], top, name + " top-5 ids at step " + s);
                    for (int k = 0; k < top.length; k++) {
                        assertEquals(o.topLogits()[s][k], logits[top[k]], tolerance, name + " top-5 logit at step " + s);
                    }
                    gen[s] = Greedy.argmax(logits);
                    if (s + 1 < gen.length) logits = ctx.step(gen[s]);
                }
                assertArrayEquals(o.generated(), gen, name + " greedy tokens");
            }
        } finally {
            closeAll(ads);
        }
    }

    static int[] top(float[] logits, int k) {
        int[] ids = new int[k];
        boolean[] used = new boolean[logits.length];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < logits.length; i++) {
                if (!used[i] && (best < 0 || logits[i] > logits[best])) best = i;
            }
            used[best] = true;
            ids[j] = best;
        }
        return ids;
    }

    /** An adapter changes the output; the greedy oracle with llama.cpp's defaults (F16 K/V) gives the same tokens. */
    @Test
    void defaultSettingsOracleGivesTheSameTokens() throws Exception {
        for (String name : List.of("lora-a.s1", "lora-b.s1", "lora-a+b.s1")) {
            LoraOracle o = LoraOracle.read(name, false);
            LoraOracle base = LoraOracle.read("base", false);
            List<ScaledLora> ads = adapters(o);
            try (InferenceContext ctx = context(model, LoraSet.bind(model, ads))) {
                int[] gen = Greedy.generate(ctx, o.prompt(), o.generated().length);
                assertArrayEquals(o.generated(), gen, name);
                assertTrue(!java.util.Arrays.equals(base.generated(), gen), name + " must differ from the base run");
                double err = maxAbsDiff(teacherForce(model, LoraSet.bind(model, ads), o), o.logits());
                System.out.printf(Locale.ROOT, "lora oracle %-20s vs llama.cpp defaults (F16 K/V, flash attn): %.3g%n", name, err);
                assertTrue(err <= 0.1, name + " vs default-settings oracle: " + err);
            } finally {
                closeAll(ads);
            }
        }
    }
}
