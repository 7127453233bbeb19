package io.mbllm.engine.heal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.mbllm.engine.eval.Perplexity;
import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.engine.train.TrainBatch;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/** The teacher's text and distributions on stories260K. */
class TeacherTest {
    @Test
    void generatedTextIsSeededStartsAtBosAndStopsAtEos() throws Exception {
        try (Parallel pool = new Parallel(2); Model m = Model.open(SharedData.require("models/stories260K.gguf"))) {
            Tokenizer tok = Tokenizers.fromGguf(((GgufModelSource) m.source()).file().metadata());
            int bos = Perplexity.chunkStartToken(tok);
            List<int[]> a = TeacherText.generate(m, bos, tok::isEog, List.of(), 600, 48, 5, pool, null);
            List<int[]> b = TeacherText.generate(m, bos, tok::isEog, List.of(), 600, 48, 5, pool, null);
            List<int[]> c = TeacherText.generate(m, bos, tok::isEog, List.of(), 600, 48, 6, pool, null);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));
            assertNotEquals(Arrays.toString(a.get(0)), Arrays.toString(c.get(0)), "another seed, other text");
            int total = 0;
            for (int[] s : a) {
                total += s.length;
                assertEquals(bos, s[0]);
                assertTrue(s.length <= 48);
                for (int i = 1; i < s.length - 1; i++) assertFalse(tok.isEog(s[i]), "EOS ends a sequence");
                if (s.length < 48) assertTrue(tok.isEog(s[s.length - 1]), "a short sequence ends with EOS");
            }
            assertTrue(total >= 600 && total < 600 + 48, "stops once the count is reached: " + total);
            int[] prompt = tok.encode("Once upon a time", false, false);
            for (int[] s : TeacherText.generate(m, bos, tok::isEog, List.of(prompt), 100, 32, 5, pool, null)) {
                assertArrayEquals(prompt, Arrays.copyOfRange(s, 1, 1 + prompt.length));
            }
        }
    }

    @Test
    void distributionsAreTheTeachersLogSoftmaxCachedOrStreamed() throws Exception {
        try (Parallel pool = new Parallel(2); Model m = Model.open(SharedData.require("models/stories260K.gguf"))) {
            int nv = m.config().vocabSize();
            int[] s1 = {1, 403, 407, 261, 378, 299}, s2 = {1, 67, 270, 400};
            TrainBatch batch = TrainBatch.nextToken(s1, s2);
            float t = 2f;
            float[] cached, streamed;
            try (TeacherDistributions td = new TeacherDistributions(m, t, 8, 1 << 20, pool)) {
                assertTrue(td.prepare(List.of(batch), null));
                cached = td.logProbs(batch).clone();
            }
            try (TeacherDistributions td = new TeacherDistributions(m, t, 8, 0, pool)) {
                assertFalse(td.prepare(List.of(batch), null));
                streamed = td.logProbs(batch).clone();
            }
            assertArrayEquals(cached, Arrays.copyOf(streamed, cached.length));
            // the second sequence is evaluated from position 0, as if alone
            float[] z = new float[s2.length * nv];
            try (InferenceContext ctx = m.newContext(ContextOptions.of(8).withParallel(pool))) {
                ctx.evaluateAll(s2, 0, s2.length, z);
            }
            for (int p = 0; p < s2.length; p++) {
                double sum = 0;
                for (int i = 0; i < nv; i++) {
                    float lp = cached[(s1.length + p) * nv + i];
                    sum += Math.exp(lp);
                    assertEquals(z[p * nv + i] / t - z[p * nv] / t, lp - cached[(s1.length + p) * nv], 1e-4);
                }
                assertEquals(1.0, sum, 1e-5);
            }
        }
    }
}
