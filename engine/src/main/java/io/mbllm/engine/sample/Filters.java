package io.mbllm.engine.sample;

/**
 * The steps of the sampler chain, each working in place on {@link Candidates}. Semantics follow llama.cpp's
 * samplers (src/llama-sampler.cpp: top_k, typical, top_p, min_p, temp, dist) with {@code min_keep = 1}.
 */
final class Filters {
    private Filters() {}

    /** First tokens of the logit order scanned before the top-p step falls back to a full sort. */
    static final int TOP_P_FIRST_PASS = 256;

    /** Keeps the {@code k} largest logits (ties to the lower id), sorted; {@code k <= 0} keeps everything. */
    static void topK(Candidates c, int k) {
        if (k <= 0) return;
        k = Math.min(k, c.size);
        c.sortFront(k, Candidates.BY_LOGIT);
        c.truncate(k);
        c.sorted = true;
    }

    /**
     * Locally typical sampling: orders tokens by |−log p − H| (H the entropy) and keeps the smallest prefix of
     * that order whose probability mass exceeds {@code typicalP}. Leaves the candidates in that order.
     */
    static void typical(Candidates c, float typicalP) {
        if (typicalP >= 1f || c.size == 0) return;
        c.softmax();
        float entropy = 0f;
        for (int i = 0; i < c.size; i++) {
            float p = c.p[i];
            if (p > 0f) entropy -= p * (float) Math.log(p);
        }
        for (int i = 0; i < c.size; i++) {
            float p = c.p[i];
            c.key[i] = p > 0f ? Math.abs(-(float) Math.log(p) - entropy) : Float.POSITIVE_INFINITY;
        }
        c.sortFront(c.size, Candidates.BY_KEY);
        float cum = 0f;
        int keep = c.size;
        for (int i = 0; i < c.size; i++) {
            cum += c.p[i];
            if (cum > typicalP) {
                keep = i + 1;
                break;
            }
        }
        c.truncate(keep);
        c.sorted = false;
    }

    /** Nucleus sampling: keeps the most likely tokens until their probability mass reaches {@code topP}. */
    static void topP(Candidates c, float topP) {
        if (topP >= 1f || c.size == 0) return;
        c.softmax();
        int scanned = c.sorted ? c.size : Math.min(TOP_P_FIRST_PASS, c.size);
        if (!c.sorted) c.sortFront(scanned, Candidates.BY_LOGIT);
        float cum = 0f;
        int keep = c.size;
        for (int i = 0; i < c.size; i++) {
            if (i == scanned) { // the first pass did not reach the mass: order everything
                c.sortFront(c.size, Candidates.BY_LOGIT);
                scanned = c.size;
            }
            cum += c.p[i];
            if (cum >= topP) {
                keep = i + 1;
                break;
            }
        }
        c.truncate(keep);
        c.sorted = true;
    }

    /** Keeps the tokens whose probability is at least {@code minP} times the largest one (order kept). */
    static void minP(Candidates c, float minP) {
        if (minP <= 0f || c.size == 0) return;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < c.size; i++) max = Math.max(max, c.logit[i]);
        float minLogit = max + (float) Math.log(minP);
        int w = 0;
        for (int i = 0; i < c.size; i++) {
            if (c.logit[i] >= minLogit) {
                if (w != i) c.move(i, w);
                w++;
            }
        }
        c.size = Math.max(1, w);
    }

    /** Divides every logit by {@code temperature} (&gt; 0). */
    static void temperature(Candidates c, float temperature) {
        if (temperature == 1f) return;
        for (int i = 0; i < c.size; i++) c.logit[i] /= temperature;
    }

    /**
     * Softmax over the candidates, then the index of the entry where the running probability sum first
     * reaches {@code u · total} ({@code u} uniform in [0, 1)).
     */
    static int pick(Candidates c, double u) {
        if (c.size == 1) {
            c.p[0] = 1f;
            return 0;
        }
        c.softmax();
        double total = 0;
        for (int i = 0; i < c.size; i++) total += c.p[i];
        double target = total * u;
        double run = 0;
        for (int i = 0; i < c.size; i++) {
            run += c.p[i];
            if (run >= target && c.p[i] > 0f) return i;
        }
        for (int i = c.size - 1; i > 0; i--) if (c.p[i] > 0f) return i;
        return 0;
    }

    /** The id of the largest logit; ties and NaN resolved toward the lower id. */
    static int argmax(float[] logits) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        boolean found = false;
        for (int i = 0; i < logits.length; i++) {
            float l = logits[i];
            if (l > max || (!found && l == max)) {
                max = l;
                best = i;
                found = true;
            }
        }
        return best;
    }
}
