package io.mbllm.engine.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/**
 * {@link InferenceContext#useLoras}: one context switched between adapter sets gives, bit for bit, what a context
 * built with each set gives (the server switches a slot's scales per request this way).
 */
class LoraSwitchTest {
    static Parallel pool;
    static Model model;
    static LoraAdapter a, b;

    @BeforeAll
    static void load() throws Exception {
        pool = new Parallel(2);
        model = Model.open(SharedData.require("models/stories260K.gguf"));
        a = LoraAdapter.load(SharedData.require(LoraOracle.DIR + "stories260K-lora-a.f32.gguf"));
        b = LoraAdapter.load(SharedData.require(LoraOracle.DIR + "stories260K-lora-b.f32.gguf"));
    }

    @AfterAll
    static void close() {
        if (a != null) a.close();
        if (b != null) b.close();
        if (model != null) model.close();
        if (pool != null) pool.close();
    }

    static float[] logits(InferenceContext ctx, int[] tokens) throws Exception {
        ctx.reset();
        return ctx.evaluate(tokens).clone();
    }

    @Test
    void switchingSetsEqualsFreshContexts() throws Exception {
        int[] prompt = {1, 403, 407, 261, 378, 432, 383, 286, 261};
        LoraSet off = LoraSet.bind(model, List.of(new ScaledLora(a, 0f), new ScaledLora(b, 0f)));
        LoraSet half = LoraSet.bind(model, List.of(new ScaledLora(a, 0.5f), new ScaledLora(b, 0f)));
        LoraSet both = LoraSet.bind(model, List.of(new ScaledLora(a, 1f), new ScaledLora(b, 1f)));
        float[] base, wantHalf, wantBoth;
        try (InferenceContext c = model.newContext(ContextOptions.of(64).withParallel(pool))) {
            base = logits(c, prompt);
        }
        try (InferenceContext c = model.newContext(ContextOptions.of(64).withParallel(pool).withLoras(half))) {
            wantHalf = logits(c, prompt);
        }
        try (InferenceContext c = model.newContext(ContextOptions.of(64).withParallel(pool).withLoras(both))) {
            wantBoth = logits(c, prompt);
        }
        try (InferenceContext c = model.newContext(ContextOptions.of(64).withParallel(pool).withLoras(off))) {
            assertArrayEquals(base, logits(c, prompt), "all scales 0: the base model's bits");
            c.useLoras(both); // rank 8 after rank 4: scratch grows
            assertSame(both, c.loras());
            assertArrayEquals(wantBoth, logits(c, prompt));
            c.useLoras(half);
            assertArrayEquals(wantHalf, logits(c, prompt));
            c.useLoras(off);
            assertArrayEquals(base, logits(c, prompt));
            // one token at a time after a switch, too
            c.useLoras(both);
            c.reset();
            float[] last = null;
            for (int t : prompt) last = c.step(t);
            float[] stepped = last.clone();
            double max = 0;
            for (int i = 0; i < stepped.length; i++) max = Math.max(max, Math.abs(stepped[i] - wantBoth[i]));
            assertTrue(max < 1e-4, "step vs batch " + max);
        }
        try (InferenceContext plain = model.newContext(ContextOptions.of(64).withParallel(pool))) {
            assertThrows(IllegalStateException.class, () -> plain.useLoras(half));
        }
    }
}
