package io.mbllm.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The KLD accumulator and the statistics on hand-worked inputs. */
class KlDivergenceTest {
    private static short[] base(float... logits) {
        short[] rec = new short[LogitsBaseFile.recordValues(logits.length)];
        LogitsBaseFile.encode(logits, 0, logits.length, 0, rec, 0);
        return rec;
    }

    @Test
    void klDivergenceOfTwoKnownDistributions() {
        // p = (1/2, 1/2), q = (1/4, 3/4): KLD = ½ ln(½/¼) + ½ ln(½/¾) = ½ ln(4/3)
        short[] p = base(0f, 0f);
        float[] q = {(float) Math.log(0.25), (float) Math.log(0.75)};
        KlDivergence.Accumulator acc = new KlDivergence.Accumulator(1);
        double kld = acc.add(q, 0, 2, p, 0, 1);
        assertEquals(0.5 * Math.log(4.0 / 3.0), kld, 1e-6);
        KldResult r = acc.result();
        assertEquals(0.5 * Math.log(4.0 / 3.0), r.kld().value(), 1e-6);
        // target 1: NLL_Q = ln(4/3), NLL_base = ln 2; Δp = 3/4 − 1/2
        assertEquals(4.0 / 3.0, r.pplQ().value(), 1e-6);
        assertEquals(2.0, r.pplBase().value(), 1e-4);
        assertEquals(Math.log(4.0 / 3.0) - Math.log(2), r.lnPplRatio().value(), 1e-4);
        assertEquals(0.25, r.deltaP().value(), 1e-4);
        assertEquals(0.25, r.deltaPRms().value(), 1e-4);
        // the base's tie goes to index 0, the model's argmax is 1
        assertEquals(0.0, r.sameTop().value());
    }

    @Test
    void identicalDistributionsGiveZero() {
        float[] z = {1f, -2f, 0.5f, 3f, -7f};
        short[] p = base(z);
        KlDivergence.Accumulator acc = new KlDivergence.Accumulator(3);
        for (int t = 0; t < 3; t++) assertEquals(0.0, acc.add(z, 0, 5, p, 0, t), 2e-5);
        KldResult r = acc.result();
        assertEquals(1.0, r.sameTop().value());
        assertEquals(0.0, r.sameTop().error());
        assertEquals(1.0, r.pplRatio().value(), 1e-4);
        assertEquals(0.0, r.kld().error(), "no uncertainty with 10 samples or fewer");
    }

    @Test
    void tokensMoreThan16BelowTheTopAreLeftOut() {
        // base: token 1 sits 20 below the top, so it is clamped and excluded from the sum
        short[] p = base(0f, -20f);
        float[] q = {0f, 0f}; // q = (½, ½)
        KlDivergence.Accumulator acc = new KlDivergence.Accumulator(1);
        double pTop = Math.exp(LogitsBaseFile.logProb(p, 0, 0));
        assertEquals(pTop * (Math.log(pTop) - Math.log(0.5)), acc.add(q, 0, 2, p, 0, 0), 1e-5);
    }

    @Test
    void accumulatorRefusesMoreThanItsCapacity() {
        KlDivergence.Accumulator acc = new KlDivergence.Accumulator(1);
        short[] p = base(0f, 1f);
        acc.add(new float[] {0f, 1f}, 0, 2, p, 0, 0);
        assertThrows(IllegalStateException.class, () -> acc.add(new float[] {0f, 1f}, 0, 2, p, 0, 0));
        assertThrows(IllegalStateException.class, () -> new KlDivergence.Accumulator(2).result());
    }

    @Test
    void percentilesInterpolateAtRankFractionTimesNMinusOne() {
        float[] v = {5, 1, 4, 2, 3}; // sorted 1..5
        Distribution d = Distribution.of(v, 5);
        assertEquals(1, d.min());
        assertEquals(5, d.max());
        assertEquals(3, d.median());
        assertEquals(1 + 0.1f * 4, d.p10(), 1e-6);   // rank 0.4
        assertEquals(4 + 0.96f - 0.0f, d.p99(), 1e-5); // rank 3.96 → 4 + 0.96
        assertEquals(2, d.p25(), 1e-6);
        Distribution even = Distribution.of(new float[] {4, 1, 3, 2}, 4);
        assertEquals(2.5, even.median(), 0, "mean of the two middle values");
        Distribution partial = Distribution.of(new float[] {9, 1, 0, 0}, 2);
        assertEquals(1, partial.min(), "only the first n values count");
        assertEquals(9, partial.max());
    }

    @Test
    void meanAndUncertainty() {
        // 12 samples: 0,1,...,11: mean 5.5, population var 143/12, σ_mean = sqrt(var/11)
        double sum = 0, sum2 = 0;
        for (int i = 0; i < 12; i++) {
            sum += i;
            sum2 += i * i;
        }
        Estimate e = Estimate.mean(sum, sum2, 12);
        assertEquals(5.5, e.value(), 1e-12);
        assertEquals(Math.sqrt(143.0 / 12 / 11), e.error(), 1e-12);
        assertEquals(new Estimate(0, 0), Estimate.mean(1, 1, 0));
    }

    @Test
    void logProbs() {
        float[] z = {1f, 3f, 3f, -1f};
        assertEquals(1, LogProbs.argmax(z, 0, 4), "first index wins a tie");
        double lse = Math.log(Math.exp(1) + 2 * Math.exp(3) + Math.exp(-1));
        assertEquals(lse - 1, LogProbs.nll(z, 0, 4, 0), 1e-6);
        assertEquals(lse + 1, LogProbs.nll(z, 0, 4, 3), 1e-6);
    }
}
