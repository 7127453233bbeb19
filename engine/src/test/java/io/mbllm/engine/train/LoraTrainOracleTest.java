package io.mbllm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/**
 * The trainer against the PyTorch reference run of {@code testdata/lora-train-oracle} (its README's "Suggested
 * Java checks, in order"): tokens, init bits, step-1 loss and gradient, parameters after steps 1/10/30, all 30
 * losses and gradient norms, for the F32 base (lora) and the Q4_0 base dequantized on the fly (qlora).
 */
class LoraTrainOracleTest {
    static final String DIR = "testdata/lora-train-oracle/";

    static Parallel pool;
    static JsonNode losses;
    static int[] tokens;
    static Run lora, qlora;

    /** What a 30-step run recorded. */
    record Run(double[] loss, double[] gradNorm, double[] gradNormA, double[] gradNormB, float[] grad1, float[] grad2,
               float[] init, float[] step1, float[] step10, float[] step30, double eval0, double eval30, LoraLayout layout) {}

    @BeforeAll
    static void setUp() throws Exception {
        pool = new Parallel(2);
        losses = new ObjectMapper().readTree(SharedData.require(DIR + "losses.json").toFile());
        Path text = SharedData.require("testdata/text/stories.txt");
        try (Model m = Model.open(SharedData.require("models/stories260K.gguf"))) {
            var tok = Tokenizers.fromGguf(((GgufModelSource) m.source()).file().metadata());
            tokens = Perplexity.tokenizeText(tok, Files.readString(text, StandardCharsets.UTF_8));
        }
        lora = run(SharedData.require("models/stories260K.gguf"));
        qlora = run(SharedData.require(DIR + "stories260K-Q4_0-ffn_down-F16.gguf"));
    }

    @AfterAll
    static void tearDown() {
        if (pool != null) pool.close();
    }

    static Run run(Path base) throws Exception {
        try (Model m = Model.open(base)) {
            LoraLayout layout = LoraLayout.of(m.config(), LoraTarget.all(), 4);
            TrainState st = TrainState.initial(layout, 8f, 7);
            ForwardBackward fb = new ForwardBackward(m, layout, 8f, pool);
            Trainer tr = new Trainer(fb, st, TrainData.text(tokens, 64, 4), CrossEntropyLoss.INSTANCE, 1, AdamW.of(1e-3));
            double[] loss = new double[30], gn = new double[30], ga = new double[30], gb = new double[30];
            float[] init = st.params().clone(), g1 = null, g2 = null, p1 = null, p10 = null;
            double eval0 = tr.evaluateAll();
            for (int s = 1; s <= 30; s++) {
                StepResult r = tr.step();
                assertEquals(s, r.step());
                loss[s - 1] = r.loss();
                gn[s - 1] = r.gradNorm();
                ga[s - 1] = r.gradNormA();
                gb[s - 1] = r.gradNormB();
                if (s == 1) {
                    g1 = tr.gradient().clone();
                    p1 = st.params().clone();
                }
                if (s == 2) g2 = tr.gradient().clone();
                if (s == 10) p10 = st.params().clone();
            }
            return new Run(loss, gn, ga, gb, g1, g2, init, p1, p10, st.params().clone(), eval0, tr.evaluateAll(), layout);
        }
    }

    static float[] f32(String name) throws IOException {
        byte[] b = Files.readAllBytes(SharedData.require(DIR + name));
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    @Test
    void tokensMatchTheReference() throws IOException {
        JsonNode ids = new ObjectMapper().readTree(SharedData.require(DIR + "tokens.json").toFile()).get("token_ids");
        int[] want = new int[ids.size()];
        for (int i = 0; i < want.length; i++) want[i] = ids.get(i).asInt();
        assertArrayEquals(want, tokens);
        List<TrainBatch> batches = TrainData.text(tokens, 64, 4);
        assertEquals(5, batches.size());
        assertEquals(3, batches.get(4).sequences());
        assertEquals(252, batches.get(0).scored());
        assertEquals(189, batches.get(4).scored());
        assertEquals(tokens[1215], batches.get(4).tokens()[batches.get(4).rows() - 1]); // tail 1216… dropped
    }

    @Test
    void initIsBitExact() throws IOException {
        float[] want = f32("init.f32");
        assertEquals(23120, lora.layout().size());
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(lora.init()[i]), "value " + i);
        }
        assertEquals(0.10507772f, lora.init()[0]);
    }

    @Test
    void stepOneLossAndGradient() throws IOException {
        assertEquals(1.40359926, lora.loss()[0], 1.40359926 * 1e-6);
        float[] want = f32("lora.grad.step1.f32");
        for (LoraLayout.Slot s : lora.layout().slots()) {
            for (int i = 0; i < 4 * s.nIn(); i++) assertEquals(0f, lora.grad1()[s.aOffset() + i], "dL/dA must be exactly 0 at step 1");
        }
        double d = maxAbsDiff(want, lora.grad1());
        System.out.printf("lora grad step1 max|Δ| = %.3g%n", d);
        assertTrue(d <= 2e-6, "dL/dB step 1 max |Δ| " + d);
    }

    @Test
    void stepOneUpdateAndStepTwoGradient() throws IOException {
        float[] init = f32("init.f32");
        for (LoraLayout.Slot s : lora.layout().slots()) {
            for (int i = s.aOffset(); i < s.aOffset() + 4 * s.nIn(); i++) {
                assertEquals(Float.floatToRawIntBits(init[i]), Float.floatToRawIntBits(lora.step1()[i]), "A unchanged by step 1");
            }
        }
        double d1 = maxAbsDiff(f32("lora.step1.f32"), lora.step1());
        double d2 = maxAbsDiff(f32("lora.grad.step2.f32"), lora.grad2());
        System.out.printf("lora params step1 max|Δ| = %.3g, grad step2 max|Δ| = %.3g%n", d1, d2);
        assertTrue(d1 <= 2e-5, "params after step 1: " + d1);
        assertTrue(d2 <= 2e-6, "gradient of step 2: " + d2);
    }

    @Test
    void loraLossesNormsAndParameters() throws IOException {
        checkRun("lora", lora);
    }

    @Test
    void qloraLossesNormsAndParameters() throws IOException {
        checkRun("qlora", qlora);
        assertEquals(1.46723640, qlora.loss()[0], 1.5e-5);
    }

    static void checkRun(String name, Run r) throws IOException {
        JsonNode run = losses.get("runs").get(name);
        JsonNode steps = run.get("steps");
        double worstLoss = 0, worstNorm = 0;
        for (int s = 0; s < 30; s++) {
            JsonNode st = steps.get(s);
            double wl = st.get("loss").asDouble(), wn = st.get("grad_norm").asDouble();
            double rl = Math.abs(r.loss()[s] - wl) / wl, rn = Math.abs(r.gradNorm()[s] - wn) / wn;
            worstLoss = Math.max(worstLoss, rl);
            worstNorm = Math.max(worstNorm, rn);
            assertTrue(rl <= 1e-5, name + " step " + (s + 1) + " loss " + r.loss()[s] + " vs " + wl);
            assertTrue(rn <= 1e-5, name + " step " + (s + 1) + " grad norm " + r.gradNorm()[s] + " vs " + wn);
            double wa = st.get("grad_norm_A").asDouble(), wb = st.get("grad_norm_B").asDouble();
            assertEquals(wa, r.gradNormA()[s], 1e-5 * wn + 1e-12);
            assertEquals(wb, r.gradNormB()[s], 1e-5 * wn);
        }
        double d1 = maxAbsDiff(f32(name + ".step1.f32"), r.step1());
        double d10 = maxAbsDiff(f32(name + ".step10.f32"), r.step10());
        double d30 = maxAbsDiff(f32(name + ".step30.f32"), r.step30());
        double e0 = run.get("eval_loss_all_sequences").get("0").asDouble();
        double e30 = run.get("eval_loss_all_sequences").get("30").asDouble();
        System.out.printf("%s: loss max rel %.3g, grad-norm max rel %.3g, params max|Δ| step1 %.3g step10 %.3g step30 %.3g, "
                + "eval loss %.7f -> %.7f (ref %.7f -> %.7f)%n", name, worstLoss, worstNorm, d1, d10, d30, r.eval0(), r.eval30(), e0, e30);
        assertTrue(d1 <= 2e-5 && d10 <= 2e-5 && d30 <= 2e-5, name + " params: " + d1 + ", " + d10 + ", " + d30);
        assertEquals(e0, r.eval0(), 1e-5 * e0);
        assertEquals(e30, r.eval30(), 1e-5 * e30);
    }
}
