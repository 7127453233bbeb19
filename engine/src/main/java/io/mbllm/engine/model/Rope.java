package io.mbllm.engine.model;

import io.mbllm.engine.model.Architecture.RopeType;
import io.mbllm.kernels.CMath;
import io.mbllm.kernels.ExactMode;

/**
 * Rotary position embedding as ggml applies it ({@code ggml_rope_ext}; {@code shared/docs/gguf.md} §6): for
 * pair {@code i < n_rot/2} at position {@code p} the angle is {@code p * freq_scale * base^(-2i/n_rot) / ff_i},
 * the base power built by repeated float multiplication as ggml does, with the C library's {@code powf},
 * {@code cosf} and {@code sinf} as ggml's angle cache (see {@link CMath}); YaRN mixes interpolated and extrapolated
 * angles. NORM rotates {@code (x[2i], x[2i+1])}, NEOX {@code (x[i], x[i + n_rot/2])}; dimensions past
 * {@code n_rot} are left alone.
 */
public final class Rope {
    private final RopeType type;
    private final int nRot;
    private final float thetaScale;
    private final float freqScale;
    private final float[] factors;
    private final float extFactor;
    private final float attnFactor;
    private final float corrLow, corrHigh;

    /**
     * @param factors per-pair frequency divisors ({@code rope_freqs} or a long-rope factor set), or {@code null}
     */
    Rope(RopeType type, int nRot, float freqBase, RopeScaling scaling, float[] factors) {
        this.type = type;
        this.nRot = nRot;
        this.thetaScale = CMath.pow(freqBase, -2.0f / nRot);
        this.freqScale = scaling.freqScale();
        this.factors = factors;
        boolean yarn = scaling.type() == RopeScaling.Type.YARN;
        this.extFactor = yarn ? 1f : 0f;
        float attn = 1f;
        if (yarn) {
            // llama.cpp (llama-context.cpp): magnitude factor chosen so that it cancels ggml's own YaRN mscale,
            // unless a yarn_log_multiplier says otherwise
            float factor = 1f / freqScale;
            float logMul = scaling.yarnLogMultiplier();
            attn = logMul != 0f ? mscale(factor, 1f) / mscale(factor, logMul) : mscale(factor, 1f);
            attn *= 1f / (1f + 0.1f * (float) Math.log(factor));
        }
        this.attnFactor = attn * scaling.attnFactor();
        int nCtxOrig = scaling.originalContextLength();
        // ggml_rope_yarn_corr_dims
        float start = (float) Math.floor(corrDim(nRot, nCtxOrig, scaling.yarnBetaFast(), freqBase));
        float end = (float) Math.ceil(corrDim(nRot, nCtxOrig, scaling.yarnBetaSlow(), freqBase));
        this.corrLow = Math.max(0f, start);
        this.corrHigh = Math.min(nRot - 1, end);
    }

    private static float mscale(float scale, float m) {
        return scale <= 1f ? 1f : 0.1f * m * (float) Math.log(scale) + 1f;
    }

    private static float corrDim(int nDims, int nCtxOrig, float nRotations, float base) {
        return nDims * (float) Math.log(nCtxOrig / (nRotations * 2 * (float) Math.PI)) / (2 * (float) Math.log(base));
    }

    /** Number of rotated dimensions per head. */
    public int dimensions() {
        return nRot;
    }

    /** Writes the cos and sin of the {@code n_rot/2} angles at {@code pos} to {@code cos[off..]}, {@code sin[off..]}. */
    public void angles(int pos, float[] cos, float[] sin, int off) {
        float theta = pos;
        for (int i = 0; i < nRot / 2; i++) {
            float ff = factors != null ? factors[i] : 1f;
            float thetaExtrap = theta / ff;
            float thetaInterp = freqScale * thetaExtrap;
            float t = thetaInterp;
            float m = attnFactor;
            if (extFactor != 0f) {
                float y = (i - corrLow) / Math.max(0.001f, corrHigh - corrLow);
                float rampMix = (1 - Math.min(1, Math.max(0, y))) * extFactor;
                t = thetaInterp * (1 - rampMix) + thetaExtrap * rampMix;
                m *= 1f + 0.1f * (float) Math.log(1f / freqScale);
            }
            cos[off + i] = CMath.cos(t) * m;
            sin[off + i] = CMath.sin(t) * m;
            theta *= thetaScale;
        }
    }

    /**
     * {@link ExactMode#ROPE}: each rotated value as one fused multiply-add, as a C compiler contracts ggml's
     * {@code x0*cos_theta - x1*sin_theta} and {@code x0*sin_theta + x1*cos_theta} (ggml-cpu/ops.cpp, rotate_pairs).
     */
    private static final boolean FMA = ExactMode.ROPE;

    /** Rotates one head vector {@code x[off .. off+head)} with angles from {@link #angles}. */
    public void rotate(float[] x, int off, float[] cos, float[] sin, int aOff) {
        int half = nRot / 2;
        for (int i = 0; i < half; i++) {
            int i0, i1;
            if (type == RopeType.NORM) {
                i0 = off + 2 * i;
                i1 = i0 + 1;
            } else {
                i0 = off + i;
                i1 = i0 + half;
            }
            float c = cos[aOff + i], s = sin[aOff + i];
            float a = x[i0], b = x[i1];
            if (FMA) {
                x[i0] = Math.fma(a, c, -(b * s));
                x[i1] = Math.fma(a, s, b * c);
            } else {
                x[i0] = a * c - b * s;
                x[i1] = a * s + b * c;
            }
        }
    }
}
