/*
 * F16 and BF16 weights take float32 activations that hold fp16/bf16-rounded values (mbllm_quantize_act).
 *
 * Scalar kernels: the portable fallback. Each follows the reference summation order of
 * shared/docs/quantization.md §5 (the same order as io.mbllm.gguf.quant), so on the same
 * activation bytes it returns the same float as the Java reference. Built with
 * -ffp-contract=off so no multiply-add is fused.
 */
#include "mk_internal.h"

static float dot_f32(int64_t n, const uint8_t *w, const uint8_t *a) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        float p = mk_f32(w + 4 * i) * mk_f32(a + 4 * i);
        sum += p;
    }
    return (float)sum;
}

static float dot_f16(int64_t n, const uint8_t *w, const uint8_t *a) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        float p = mk_h2f(mk_u16(w + 2 * i)) * mk_f32(a + 4 * i);
        sum += p;
    }
    return (float)sum;
}

static float dot_bf16(int64_t n, const uint8_t *w, const uint8_t *a) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        float p = mk_bf2f(mk_u16(w + 2 * i)) * mk_f32(a + 4 * i);
        sum += p;
    }
    return (float)sum;
}

static float dot_q8_0(int64_t n, const uint8_t *w, const uint8_t *a) {
    float sumf = 0;
    for (int64_t b = 0; b < n / MK_QK; b++) {
        const uint8_t *x = w + b * MK_B_Q8_0, *y = a + b * MK_B_Q8_0;
        int sumi = 0;
        for (int j = 0; j < MK_QK; j++) sumi += (int8_t)x[2 + j] * (int8_t)y[2 + j];
        sumf += (float)sumi * (mk_h2f(mk_u16(x)) * mk_h2f(mk_u16(y)));
    }
    return sumf;
}

static float dot_q4_0(int64_t n, const uint8_t *w, const uint8_t *a) {
    float sumf = 0;
    for (int64_t b = 0; b < n / MK_QK; b++) {
        const uint8_t *x = w + b * MK_B_Q4_0, *y = a + b * MK_B_Q8_0;
        int s0 = 0, s1 = 0;
        for (int j = 0; j < 16; j++) {
            s0 += ((x[2 + j] & 15) - 8) * (int8_t)y[2 + j];
            s1 += ((x[2 + j] >> 4) - 8) * (int8_t)y[2 + 16 + j];
        }
        sumf += (float)(s0 + s1) * mk_h2f(mk_u16(x)) * mk_h2f(mk_u16(y));
    }
    return sumf;
}

static float dot_q4_1(int64_t n, const uint8_t *w, const uint8_t *a) {
    float sumf = 0;
    for (int64_t b = 0; b < n / MK_QK; b++) {
        const uint8_t *x = w + b * MK_B_Q4_1, *y = a + b * MK_B_Q8_1;
        int s0 = 0, s1 = 0;
        for (int j = 0; j < 16; j++) {
            s0 += (x[4 + j] & 15) * (int8_t)y[4 + j];
            s1 += (x[4 + j] >> 4) * (int8_t)y[4 + 16 + j];
        }
        sumf += (mk_h2f(mk_u16(x)) * mk_h2f(mk_u16(y))) * (float)(s0 + s1)
                + mk_h2f(mk_u16(x + 2)) * mk_h2f(mk_u16(y + 2));
    }
    return sumf;
}

static float dot_q5_0(int64_t n, const uint8_t *w, const uint8_t *a) {
    float sumf = 0;
    for (int64_t b = 0; b < n / MK_QK; b++) {
        const uint8_t *x = w + b * MK_B_Q5_0, *y = a + b * MK_B_Q8_0;
        uint32_t qh = mk_u32(x + 2);
        int s0 = 0, s1 = 0;
        for (int j = 0; j < 16; j++) {
            int h0 = ((qh >> j) << 4) & 0x10, h1 = (qh >> (j + 12)) & 0x10;
            s0 += (((x[6 + j] & 15) | h0) - 16) * (int8_t)y[2 + j];
            s1 += (((x[6 + j] >> 4) | h1) - 16) * (int8_t)y[2 + 16 + j];
        }
        sumf += (mk_h2f(mk_u16(x)) * mk_h2f(mk_u16(y))) * (float)(s0 + s1);
    }
    return sumf;
}

static float dot_q5_1(int64_t n, const uint8_t *w, const uint8_t *a) {
    float sumf = 0;
    for (int64_t b = 0; b < n / MK_QK; b++) {
        const uint8_t *x = w + b * MK_B_Q5_1, *y = a + b * MK_B_Q8_1;
        uint32_t qh = mk_u32(x + 4);
        int s0 = 0, s1 = 0;
        for (int j = 0; j < 16; j++) {
            int h0 = ((qh >> j) << 4) & 0x10, h1 = (qh >> (j + 12)) & 0x10;
            s0 += ((x[8 + j] & 15) | h0) * (int8_t)y[4 + j];
            s1 += ((x[8 + j] >> 4) | h1) * (int8_t)y[4 + 16 + j];
        }
        sumf += (mk_h2f(mk_u16(x)) * mk_h2f(mk_u16(y))) * (float)(s0 + s1)
                + mk_h2f(mk_u16(x + 2)) * mk_h2f(mk_u16(y + 2));
    }
    return sumf;
}

static float dot_iq4_nl(int64_t n, const uint8_t *w, const uint8_t *a) {
    float sumf = 0;
    for (int64_t b = 0; b < n / MK_QK; b++) {
        const uint8_t *x = w + b * MK_B_IQ4_NL, *y = a + b * MK_B_Q8_0;
        float d = mk_h2f(mk_u16(y)) * mk_h2f(mk_u16(x));
        int s1 = 0, s2 = 0;
        for (int j = 0; j < 16; j++) {
            s1 += (int8_t)y[2 + j] * MK_IQ4NL_VALUES[x[2 + j] & 15];
            s2 += (int8_t)y[2 + 16 + j] * MK_IQ4NL_VALUES[x[2 + j] >> 4];
        }
        sumf += d * (float)(s1 + s2);
    }
    return sumf;
}

/* --- K-quants --- */

static float dot_q2_K(int64_t n, const uint8_t *w, const uint8_t *a) {
    float sumf = 0;
    for (int64_t b = 0; b < n / MK_QK_K; b++) {
        const uint8_t *x = w + b * MK_B_Q2_K, *y = a + b * MK_B_Q8_K;
        const int8_t *q8 = (const int8_t *)(y + 4);
        int summs = 0;
        for (int j = 0; j < 16; j++) summs += mk_i16(y + 260 + 2 * j) * (x[j] >> 4);
        float yd = mk_f32(y);
        float dall = yd * mk_h2f(mk_u16(x + 80)), dmin = yd * mk_h2f(mk_u16(x + 82));
        int isum = 0, is = 0;
        for (int c = 0; c < 2; c++) {
            const uint8_t *q2 = x + 16 + 32 * c;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int half = 0; half < 2; half++) {
                    int d = x[is++] & 15, isuml = 0;
                    for (int l = 0; l < 16; l++) isuml += q8[l] * ((q2[16 * half + l] >> shift) & 3);
                    isum += d * isuml;
                    q8 += 16;
                }
            }
        }
        sumf += dall * (float)isum - dmin * (float)summs;
    }
    return sumf;
}

static inline int q3k_scale(const uint8_t *sc, int j) {
    int low4 = j < 8 ? sc[j] & 15 : sc[j - 8] >> 4;
    int high2 = (sc[8 + j % 4] >> (2 * (j / 4))) & 3;
    return (low4 | high2 << 4) - 32;
}

static inline int q3k_code(const uint8_t *x, int e) {
    int h = e / 128, r = e % 128, s = r / 32, t = r % 32;
    int q = (x[32 + 32 * h + t] >> (2 * s)) & 3;
    return q - ((x[e % 32] >> (e / 32)) & 1 ? 0 : 4);
}

static inline int q6k_code(const uint8_t *x, int e) {
    int h = e / 128, r = e % 128, g = r / 32, l = r % 32;
    int low4 = (x[64 * h + l + ((g == 1 || g == 3) ? 32 : 0)] >> (g >= 2 ? 4 : 0)) & 15;
    int high2 = (x[128 + 32 * h + l] >> (2 * g)) & 3;
    return (low4 | high2 << 4) - 32;
}

static inline void k4_scale_min(const uint8_t *b, int j, int *sc, int *m) {
    if (j < 4) {
        *sc = b[j] & 63;
        *m = b[j + 4] & 63;
    } else {
        *sc = (b[j + 4] & 15) | ((b[j - 4] >> 6) << 4);
        *m = (b[j + 4] >> 4) | ((b[j] >> 6) << 4);
    }
}

/* Q3_K and Q6_K: 16 sub-blocks of 16 with an integer scale, eight lanes (§5). */
static float dot_k16(int64_t n, const uint8_t *w, const uint8_t *a, int q6) {
    float sums[8] = {0};
    int bytes = q6 ? MK_B_Q6_K : MK_B_Q3_K;
    for (int64_t b = 0; b < n / MK_QK_K; b++) {
        const uint8_t *x = w + b * bytes, *y = a + b * MK_B_Q8_K;
        int aux[8] = {0};
        for (int j = 0; j < 16; j++) {
            int sc = q6 ? (int8_t)x[192 + j] : q3k_scale(x + 96, j);
            for (int l = 0; l < 16; l++) {
                int e = 16 * j + l;
                aux[e & 7] += sc * ((int8_t)y[4 + e] * (q6 ? q6k_code(x, e) : q3k_code(x, e)));
            }
        }
        float d = mk_h2f(mk_u16(x + (q6 ? 208 : 108))) * mk_f32(y);
        for (int l = 0; l < 8; l++) sums[l] += d * (float)aux[l];
    }
    float sumf = 0;
    for (int l = 0; l < 8; l++) sumf += sums[l];
    return sumf;
}

static float dot_q3_K(int64_t n, const uint8_t *w, const uint8_t *a) { return dot_k16(n, w, a, 0); }
static float dot_q6_K(int64_t n, const uint8_t *w, const uint8_t *a) { return dot_k16(n, w, a, 1); }

/* Q4_K and Q5_K: 8 sub-blocks of 32 with 6-bit scale and min, eight lanes (§5). */
static float dot_kmin(int64_t n, const uint8_t *w, const uint8_t *a, int q5) {
    float sums[8] = {0};
    float sumf = 0;
    int bytes = q5 ? MK_B_Q5_K : MK_B_Q4_K, qs = q5 ? 48 : 16;
    for (int64_t b = 0; b < n / MK_QK_K; b++) {
        const uint8_t *x = w + b * bytes, *y = a + b * MK_B_Q8_K;
        int aux[8] = {0};
        for (int j = 0; j < 8; j++) {
            int sc, m;
            k4_scale_min(x + 4, j, &sc, &m);
            for (int l = 0; l < 32; l++) {
                int e = 32 * j + l, r = e & 63;
                int q = (x[qs + 32 * (e >> 6) + (r & 31)] >> (4 * (r >> 5))) & 15;
                if (q5) q |= ((x[16 + (e & 31)] >> (e >> 5)) & 1) << 4;
                aux[e & 7] += sc * ((int8_t)y[4 + e] * q);
            }
        }
        int sumi = 0;
        for (int g = 0; g < 16; g++) {
            int sc, m;
            k4_scale_min(x + 4, g / 2, &sc, &m);
            sumi += mk_i16(y + 260 + 2 * g) * m;
        }
        float yd = mk_f32(y);
        float d = mk_h2f(mk_u16(x)) * yd;
        for (int l = 0; l < 8; l++) sums[l] += d * (float)aux[l];
        float dmin = mk_h2f(mk_u16(x + 2)) * yd;
        sumf -= dmin * (float)sumi;
    }
    for (int l = 0; l < 8; l++) sumf += sums[l];
    return sumf;
}

static float dot_q4_K(int64_t n, const uint8_t *w, const uint8_t *a) { return dot_kmin(n, w, a, 0); }
static float dot_q5_K(int64_t n, const uint8_t *w, const uint8_t *a) { return dot_kmin(n, w, a, 1); }

void mk_table_scalar(mk_table *t) {
    memset(t, 0, sizeof *t);
    t->dot[MK_F32] = dot_f32;
    t->dot[MK_F16] = dot_f16;
    t->dot[MK_BF16] = dot_bf16;
    t->dot[MK_Q8_0] = dot_q8_0;
    t->dot[MK_Q4_0] = dot_q4_0;
    t->dot[MK_Q4_1] = dot_q4_1;
    t->dot[MK_Q5_0] = dot_q5_0;
    t->dot[MK_Q5_1] = dot_q5_1;
    t->dot[MK_IQ4_NL] = dot_iq4_nl;
    t->dot[MK_Q2_K] = dot_q2_K;
    t->dot[MK_Q3_K] = dot_q3_K;
    t->dot[MK_Q4_K] = dot_q4_K;
    t->dot[MK_Q5_K] = dot_q5_K;
    t->dot[MK_Q6_K] = dot_q6_K;
}
