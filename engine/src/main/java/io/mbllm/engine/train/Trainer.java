package io.mbllm.engine.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training loop: step {@code s} (1-based) uses micro-batches {@code (s−1)·k + j mod nb}, {@code j < k}
 * ({@code k = grad-accum}, batches in file order, never shuffled), takes the gradient of the mean loss over all
 * their scored rows (so {@code k} micro-batches of b sequences give the gradient of one batch of k·b), and applies
 * one AdamW update. With k = 1 this is the reference's schedule: step s uses batch {@code (s−1) mod nb}.
 */
public final class Trainer {
    private final ForwardBackward fb;
    private final TrainState state;
    private final List<TrainBatch> batches;
    private final TokenLoss loss;
    private final int gradAccum;
    private final AdamW adam;
    private final float[] grad;

    public Trainer(ForwardBackward fb, TrainState state, List<TrainBatch> batches, TokenLoss loss, int gradAccum, AdamW adam) {
        if (batches.isEmpty()) throw new IllegalArgumentException("no training batches");
        if (gradAccum < 1) throw new IllegalArgumentException("--grad-accum must be at least 1, got " + gradAccum);
        if (state.layout() != fb.layout() && !state.layout().equals(fb.layout())) {
            throw new IllegalArgumentException("the state's adapter layout does not match the model's");
        }
        this.fb = fb;
        this.state = state;
        this.batches = List.copyOf(batches);
        this.loss = loss;
        this.gradAccum = gradAccum;
        this.adam = adam;
        this.grad = new float[state.layout().size()];
    }

    public TrainState state() { return state; }

    /** The gradient of the last step (before its update was applied); live array. */
    public float[] gradient() { return grad; }

    /** Micro-batches of step {@code step} (1-based). */
    public List<TrainBatch> batchesOf(int step) {
        List<TrainBatch> out = new ArrayList<>(gradAccum);
        for (int j = 0; j < gradAccum; j++) out.add(batches.get((int) (((long) (step - 1) * gradAccum + j) % batches.size())));
        return out;
    }

    /** Computes the gradient of the next step without updating anything; returns the mean loss. */
    public double gradientOnly() {
        List<TrainBatch> mb = batchesOf(state.step() + 1);
        int scored = 0;
        for (TrainBatch b : mb) scored += countScored(b);
        if (scored == 0) throw new IllegalStateException("step " + (state.step() + 1) + " has no scored tokens");
        Arrays.fill(grad, 0f);
        float weight = (float) (1.0 / scored);
        double sum = 0;
        for (TrainBatch b : mb) sum += fb.accumulate(b, state.params(), grad, loss, weight);
        return sum / scored;
    }

    private int countScored(TrainBatch b) {
        int n = 0;
        for (int r = 0; r < b.rows(); r++) if (loss.scores(b, r)) n++;
        return n;
    }

    /** Runs the next step: gradient, norms, AdamW update. */
    public StepResult step() {
        return step(adam);
    }

    /**
     * Runs the next step with {@code optimizer} in place of the trainer's own (a learning-rate schedule passes
     * the step's rate here; the moments are the state's, whatever the settings).
     */
    public StepResult step(AdamW optimizer) {
        double mean = gradientOnly();
        int tokens = 0, scored = 0;
        for (TrainBatch b : batchesOf(state.step() + 1)) {
            tokens += b.rows();
            scored += countScored(b);
        }
        double na = 0, nb = 0;
        for (LoraLayout.Slot s : state.layout().slots()) {
            na += sumSquares(grad, s.aOffset(), state.layout().rank() * s.nIn());
            nb += sumSquares(grad, s.bOffset(), state.layout().rank() * s.nOut());
        }
        int t = state.step() + 1;
        optimizer.step(state.params(), grad, state.m(), state.v(), grad.length, t);
        state.advance();
        return new StepResult(t, mean, Math.sqrt(na + nb), Math.sqrt(na), Math.sqrt(nb), tokens, scored);
    }

    private static double sumSquares(float[] a, int off, int n) {
        double s = 0;
        for (int i = off; i < off + n; i++) s += (double) a[i] * a[i];
        return s;
    }

    /** Mean loss over all batches with the current parameters (forward only). */
    public double evaluateAll() {
        double sum = 0;
        int scored = 0;
        for (TrainBatch b : batches) {
            sum += fb.evaluate(b, state.params(), loss);
            scored += countScored(b);
        }
        return sum / scored;
    }
}
