package io.mbllm.engine.train;

/**
 * Everything a training run carries from step to step: the adapter parameters (A and B in {@link LoraLayout}
 * order), AdamW's two moments, and the number of steps done. Mutable; owned by one {@link Trainer}.
 */
public final class TrainState {
    private final LoraLayout layout;
    private final float alpha;
    private final float[] params, m, v;
    private int step;

    public TrainState(LoraLayout layout, float alpha, float[] params, float[] m, float[] v, int step) {
        if (params.length != layout.size() || m.length != layout.size() || v.length != layout.size()) {
            throw new IllegalArgumentException("state arrays do not match the layout size " + layout.size());
        }
        if (!(alpha > 0) || !Float.isFinite(alpha)) throw new IllegalArgumentException("--alpha must be a positive number, got " + alpha);
        if (step < 0) throw new IllegalArgumentException("negative step " + step);
        this.layout = layout;
        this.alpha = alpha;
        this.params = params;
        this.m = m;
        this.v = v;
        this.step = step;
    }

    /** A fresh state: A from {@link LoraInit} with {@code seed}, B = 0, zero moments, step 0. */
    public static TrainState initial(LoraLayout layout, float alpha, long seed) {
        float[] p = new float[layout.size()];
        LoraInit.initialize(layout, seed, p);
        return new TrainState(layout, alpha, p, new float[p.length], new float[p.length], 0);
    }

    public LoraLayout layout() { return layout; }

    public float alpha() { return alpha; }

    /** The parameters (live array). */
    public float[] params() { return params; }

    /** AdamW's first moment (live array). */
    public float[] m() { return m; }

    /** AdamW's second moment (live array). */
    public float[] v() { return v; }

    /** Steps done. */
    public int step() { return step; }

    void advance() { step++; }
}
