package io.mbllm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.engine.eval.LogProbs;
import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraSet;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelSource;
import io.mbllm.engine.model.TinyModels;
import io.mbllm.kernels.Parallel;

/**
 * The trainer on tiny llama, qwen2 (biases, NEOX) and stablelm (LayerNorm with bias, partial rotary) models
 * with a non-zero adapter: its forward loss equals the inference engine's with the written adapter applied
 * through {@link LoraSet}, and its whole-model gradient agrees with central differences of the loss along the
 * gradient and along a random direction.
 */
class TrainArchitecturesTest {
    static final Parallel POOL = new Parallel(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("llama tied", (Supplier<ModelSource>) () -> TinyModels.llama(true)),
                Arguments.of("llama", (Supplier<ModelSource>) () -> TinyModels.llama(false)),
                Arguments.of("qwen2", (Supplier<ModelSource>) TinyModels::qwen2),
                Arguments.of("stablelm", (Supplier<ModelSource>) TinyModels::stablelm));
    }

    static int[][] sequences() {
        Random r = new Random(5);
        int[][] s = new int[3][];
        for (int i = 0; i < s.length; i++) {
            s[i] = new int[9 + 4 * i];
            for (int j = 0; j < s[i].length; j++) s[i][j] = r.nextInt(TinyModels.VOCAB);
        }
        return s;
    }

    /** Training init with a non-zero B (the README's gradcheck: B from the generator with seed 8, amp 0.05). */
    static TrainState state(LoraLayout layout) {
        TrainState st = TrainState.initial(layout, 8f, 7);
        for (LoraLayout.Slot s : layout.slots()) {
            LoraInit.fill(8, s.baseName() + ".lora_b", 0.05, st.params(), s.bOffset(), layout.rank() * s.nOut());
        }
        return st;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void forwardMatchesInferenceWithTheAdapter(String name, Supplier<ModelSource> src, @TempDir Path dir) throws Exception {
        Model m = Model.load(src.get());
        LoraLayout layout = LoraLayout.of(m.config(), LoraTarget.all(), 4);
        TrainState st = state(layout);
        ForwardBackward fb = new ForwardBackward(m, layout, 8f, POOL);
        int[][] seqs = sequences();
        double trainSum = fb.evaluate(TrainBatch.nextToken(seqs), st.params(), CrossEntropyLoss.INSTANCE);
        Path file = dir.resolve("a.gguf");
        AdapterFiles.writeAdapter(file, m.config().architecture().ggufName(), "t", st);
        double inferSum = 0;
        try (LoraAdapter ad = LoraAdapter.load(file)) {
            LoraSet set = LoraSet.bind(m, List.of(new ScaledLora(ad, 1f)));
            int nv = m.config().vocabSize();
            for (int[] s : seqs) {
                try (InferenceContext ctx = m.newContext(ContextOptions.of(32).withMaxBatch(32).withParallel(POOL).withLoras(set))) {
                    float[] z = new float[s.length * nv];
                    ctx.evaluateAll(s, 0, s.length, z);
                    for (int p = 0; p + 1 < s.length; p++) inferSum += LogProbs.nll(z, p * nv, nv, s[p + 1]);
                }
            }
        }
        System.out.printf("%s: train loss sum %.7f, inference %.7f%n", name, trainSum, inferSum);
        assertEquals(inferSum, trainSum, 2e-5 * Math.abs(inferSum));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void gradientAgreesWithDirectionalDifferences(String name, Supplier<ModelSource> src) throws Exception {
        Model m = Model.load(src.get());
        LoraLayout layout = LoraLayout.of(m.config(), LoraTarget.all(), 4);
        TrainState st = state(layout);
        ForwardBackward fb = new ForwardBackward(m, layout, 8f, POOL);
        TrainBatch b = TrainBatch.nextToken(sequences());
        int n = b.scored();
        float[] g = new float[layout.size()];
        fb.accumulate(b, st.params(), g, CrossEntropyLoss.INSTANCE, 1f / n);
        double[] random = new double[g.length];
        Random r = new Random(9);
        for (int i = 0; i < random.length; i++) random[i] = r.nextGaussian();
        double[] along = new double[g.length];
        for (int i = 0; i < g.length; i++) along[i] = g[i];
        for (double[] dir : List.of(along, random)) {
            double norm = 0, gd = 0;
            for (double v : dir) norm += v * v;
            norm = Math.sqrt(norm);
            for (int i = 0; i < g.length; i++) gd += g[i] * dir[i] / norm;
            double h = 1e-2;
            double up = loss(fb, b, st.params(), dir, h / norm), down = loss(fb, b, st.params(), dir, -h / norm);
            double fd = (up - down) / (2 * h);
            System.out.printf("%s: directional derivative analytic %.7f, central difference %.7f%n", name, gd, fd);
            assertTrue(Math.abs(gd) > 1e-3, "direction too flat to check");
            assertEquals(fd, gd, 2e-3 * Math.abs(fd) + 2e-5, name);
        }
    }

    static double loss(ForwardBackward fb, TrainBatch b, float[] p, double[] dir, double step) {
        float[] q = p.clone();
        for (int i = 0; i < q.length; i++) q[i] = (float) (p[i] + step * dir[i]);
        return fb.evaluate(b, q, CrossEntropyLoss.INSTANCE) / b.scored();
    }

    @Test
    void untrainableLayoutsAreRefusedWithAReason() throws Exception {
        for (var src : List.of(TinyModels.qwen3(), TinyModels.phi3())) {
            Model m = Model.load(src);
            LoraLayout layout = LoraLayout.of(m.config(), java.util.EnumSet.of(LoraTarget.O), 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ForwardBackward(m, layout, 4f, POOL));
            assertTrue(e.getMessage().startsWith("training does not support"), e.getMessage());
        }
    }
}
