package io.mbllm.engine.oracle;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.MatMuls;
import io.mbllm.kernels.Parallel;

/**
 * Runs mbllm's forward pass on an oracle's prompt and then feeds llama.cpp's greedy tokens (teacher forcing),
 * recording at every step our logits at llama.cpp's top-5 ids, our own top-5 and our argmax. As long as our
 * argmax equals llama.cpp's token, this is exactly free-running greedy decoding too.
 */
final class TeacherForcing {
    /** Threads of the forward pass, as llama.cpp's oracle run ({@code -t 2}). */
    static final int THREADS = 2;

    private TeacherForcing() {}

    /**
     * The kernel under test: {@link MatMuls#best} (what mbllm runs), or the one named by
     * {@code -Doracle.matmul=native|reference}.
     */
    static MatMul matMul(Parallel pool) {
        String name = System.getProperty("oracle.matmul", "").trim();
        return name.isEmpty() ? MatMuls.best(pool) : MatMuls.named(name, pool);
    }

    /**
     * Our side of one step.
     *
     * @param step      0-based step
     * @param oracle    llama.cpp's step
     * @param ourTop5   our top-5 ids (best first, ties to the lower id)
     * @param ourTop5Logits our logits at {@code ourTop5}
     * @param ourAtRef  our logits at llama.cpp's top-5 ids
     * @param maxDelta  max |ours − llama.cpp| over llama.cpp's top-5
     */
    record StepResult(int step, GreedyOracle.Step oracle, int[] ourTop5, float[] ourTop5Logits, float[] ourAtRef,
                      double maxDelta) {
        int ourToken() { return ourTop5[0]; }

        /**
         * Same top-5 as llama.cpp, except that an id of ours may replace one of theirs when our logit for it is at
         * most {@code tol} above their 5th logit (a near-tie at the boundary within the error; their ids' own
         * errors are bounded by {@link #maxDelta}).
         */
        boolean top5MatchesWithin(double tol) {
            float fifth = oracle.topLogits()[oracle.topLogits().length - 1];
            for (int k = 0; k < ourTop5.length; k++) {
                int id = ourTop5[k];
                boolean theirs = false;
                for (int t : oracle.topIds()) theirs |= t == id;
                if (!theirs && ourTop5Logits[k] > fifth + tol) return false;
            }
            return true;
        }

        boolean top5SetEqual() {
            int[] a = ourTop5.clone(), b = oracle.topIds().clone();
            Arrays.sort(a);
            Arrays.sort(b);
            return Arrays.equals(a, b);
        }
    }

    /**
     * A run.
     *
     * @param kernel      the {@link MatMul} class that ran
     * @param firstLogits our full logit vector at the first generated position
     * @param steps       one result per oracle step
     * @param prompt      time of the prompt pass
     * @param total       time of the whole run (load, prompt, all steps)
     */
    record Run(String kernel, float[] firstLogits, List<StepResult> steps, Duration prompt, Duration total) {
        /** The largest top-5 logit error over all steps. */
        double worstDelta() {
            return steps.stream().mapToDouble(StepResult::maxDelta).max().orElse(0);
        }

        /** The rms of |ours − llama.cpp| over every step's top-5. */
        double top5Rms() {
            double ss = 0;
            int n = 0;
            for (StepResult s : steps) {
                for (int k = 0; k < s.ourAtRef().length; k++) {
                    double d = s.ourAtRef()[k] - s.oracle().topLogits()[k];
                    ss += d * d;
                    n++;
                }
            }
            return n == 0 ? 0 : Math.sqrt(ss / n);
        }
    }

    /**
     * Teacher-forces {@code o} through {@code model}; with {@code perturbation} ≠ 0 every matmul input is scaled
     * by {@code 1 + perturbation} (see {@link PerturbedMatMul}).
     */
    static Run run(Path model, GreedyOracle o, int nCtx, float perturbation) throws Exception {
        long t0 = System.nanoTime();
        List<StepResult> out = new ArrayList<>();
        float[] first;
        Duration promptTime;
        String kernel;
        try (Parallel pool = new Parallel(THREADS); Model m = Model.open(model)) {
            MatMul mm = matMul(pool);
            kernel = mm.getClass().getSimpleName();
            if (perturbation != 0) mm = new PerturbedMatMul(mm, perturbation);
            try (InferenceContext ctx = m.newContext(ContextOptions.of(nCtx).withParallel(pool).withMatMul(mm))) {
                long tp = System.nanoTime();
                float[] logits = ctx.evaluate(o.prompt());
                promptTime = Duration.ofNanos(System.nanoTime() - tp);
                first = logits.clone();
                for (int i = 0; i < o.steps().size(); i++) {
                    GreedyOracle.Step s = o.steps().get(i);
                    float[] at = new float[s.topIds().length];
                    double max = 0;
                    for (int k = 0; k < at.length; k++) {
                        at[k] = logits[s.topIds()[k]];
                        max = Math.max(max, Math.abs(at[k] - s.topLogits()[k]));
                    }
                    int[] ids = top(logits, 5);
                    float[] vals = new float[ids.length];
                    for (int k = 0; k < ids.length; k++) vals[k] = logits[ids[k]];
                    out.add(new StepResult(i, s, ids, vals, at, max));
                    if (i + 1 < o.steps().size()) logits = ctx.step(o.generated()[i]);
                }
            }
        }
        return new Run(kernel, first, List.copyOf(out), promptTime, Duration.ofNanos(System.nanoTime() - t0));
    }

    /** The ids of the {@code k} largest values, best first, ties to the lower id. */
    static int[] top(float[] v, int k) {
        int[] ids = new int[k];
        Arrays.fill(ids, -1);
        for (int i = 0; i < v.length; i++) {
            int pos = k;
            while (pos > 0 && (ids[pos - 1] < 0 || v[i] > v[ids[pos - 1]])) pos--;
            if (pos < k) {
                System.arraycopy(ids, pos, ids, pos + 1, k - pos - 1);
                ids[pos] = i;
            }
        }
        return ids;
    }
}
