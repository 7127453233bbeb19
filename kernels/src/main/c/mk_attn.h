/*
 * Attention of one query row over an F16 K/V cache in the order of llama.cpp's CPU flash attention with its
 * defaults (ggml-cpu/ops.cpp ggml_compute_forward_flash_attn_ext_f16_one_chunk, F16 K and V) on an AVX-512 build:
 *  - the query is rounded to F16; each score is ggml_vec_dot_f16 (vec.cpp) of the key and the query: four
 *    accumulators of 16 lanes over blocks of 64 (a0 + b*c fused), folded 0+2, 1+3, then 0+1, reduced as GCC's
 *    _mm512_reduce_add_ps (256-bit halves, 128-bit halves, lanes 0+2 and 1+3, then those two), widened to double,
 *    the elements past the last block added in double as float products; then times the scale;
 *  - an online softmax: a score above the running maximum M rescales the F16 accumulator by expf(Mold - M)
 *    (ggml_vec_scale_f16: product rounded to F16), otherwise the V row gets the weight expf(s - M); the V row is
 *    added by ggml_vec_mad_f16 (fused multiply-add, rounded to F16); S = S*ms + vs fused;
 *  - the output is the accumulator times 1/S.
 * K and V are F16 bits, widened to float32 on load as ggml does. expf is the C library's, as in ggml. io.mbllm.engine.model.FlashAttentionF16 computes the same bits in Java.
 * Written once against 16-lane vectors (mk_attn_v16: one zmm register with AVX-512, a pair of ymm registers with
 * AVX2) and included by mk_attn_avx512.c and mk_attn_avx2.c: the lanes are independent and the reduction is spelled
 * out, so both builds give the same bits (llama.cpp's AVX2-only build would reduce 8 lanes; we follow its AVX-512
 * build everywhere, as FlashAttentionF16's Java form does). Compiled without contraction: every fused operation
 * above is written as one.
 *
 * The including file defines MK_ATTN_FN, the function's name, and MK_ATTN_AVX512 (0 or 1).
 */
#include <immintrin.h>
#include <math.h>
#include "mk_internal.h"

#if MK_ATTN_AVX512
typedef __m512 v16;
static inline v16 v_zero(void) { return _mm512_setzero_ps(); }
static inline v16 v_set1(float x) { return _mm512_set1_ps(x); }
static inline v16 v_ldf(const float *p) { return _mm512_loadu_ps(p); }
static inline v16 v_ldh(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
static inline void v_st(float *p, v16 x) { _mm512_storeu_ps(p, x); }
static inline v16 v_add(v16 a, v16 b) { return _mm512_add_ps(a, b); }
static inline v16 v_mul(v16 a, v16 b) { return _mm512_mul_ps(a, b); }
static inline v16 v_fma(v16 a, v16 b, v16 c) { return _mm512_fmadd_ps(a, b, c); }
static inline v16 v_round_h(v16 x) {
    return _mm512_cvtph_ps(_mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
/* lanes 8..15 plus lanes 0..7 */
static inline __m256 v_halves(v16 v) {
    return _mm256_add_ps(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)), _mm512_castps512_ps256(v));
}
#else
typedef struct { __m256 lo, hi; } v16;
static inline v16 v_zero(void) { v16 r = {_mm256_setzero_ps(), _mm256_setzero_ps()}; return r; }
static inline v16 v_set1(float x) { v16 r = {_mm256_set1_ps(x), _mm256_set1_ps(x)}; return r; }
static inline v16 v_ldf(const float *p) { v16 r = {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; return r; }
static inline v16 v_ldh(const uint16_t *p) {
    v16 r = {_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 8)))};
    return r;
}
static inline void v_st(float *p, v16 x) { _mm256_storeu_ps(p, x.lo); _mm256_storeu_ps(p + 8, x.hi); }
static inline v16 v_add(v16 a, v16 b) { v16 r = {_mm256_add_ps(a.lo, b.lo), _mm256_add_ps(a.hi, b.hi)}; return r; }
static inline v16 v_mul(v16 a, v16 b) { v16 r = {_mm256_mul_ps(a.lo, b.lo), _mm256_mul_ps(a.hi, b.hi)}; return r; }
static inline v16 v_fma(v16 a, v16 b, v16 c) {
    v16 r = {_mm256_fmadd_ps(a.lo, b.lo, c.lo), _mm256_fmadd_ps(a.hi, b.hi, c.hi)};
    return r;
}
static inline __m256 round_h8(__m256 x) {
    return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
static inline v16 v_round_h(v16 x) { v16 r = {round_h8(x.lo), round_h8(x.hi)}; return r; }
static inline __m256 v_halves(v16 v) { return _mm256_add_ps(v.hi, v.lo); }
#endif

static inline float round_h(float x) { return _cvtsh_ss(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)); }

static inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

/* GCC's _mm512_reduce_add_ps (256-bit halves, 128-bit halves, lanes 0+2 and 1+3, then those two), spelled out. */
static inline float reduce16(v16 v) {
    const __m256 h = v_halves(v);
    const __m128 q = _mm_add_ps(_mm256_extractf128_ps(h, 1), _mm256_castps256_ps128(h));
    const __m128 p = _mm_add_ps(q, _mm_shuffle_ps(q, q, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm_cvtss_f32(p) + _mm_cvtss_f32(_mm_shuffle_ps(p, p, 1));
}

/* x: the key (F16), y: the F16-rounded query (float). */
static float dot_f16(const uint16_t *x, const float *y, int n) {
    const int np = n & ~63;
    double sum = 0;
    if (np > 0) {
        v16 a0 = v_zero(), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < np; i += 64) {
            a0 = v_fma(v_ldh(x + i), v_ldf(y + i), a0);
            a1 = v_fma(v_ldh(x + i + 16), v_ldf(y + i + 16), a1);
            a2 = v_fma(v_ldh(x + i + 32), v_ldf(y + i + 32), a2);
            a3 = v_fma(v_ldh(x + i + 48), v_ldf(y + i + 48), a3);
        }
        sum = reduce16(v_add(v_add(a0, a2), v_add(a1, a3)));
    }
    for (int i = np; i < n; i++) {
        const float p = h2f(x[i]) * y[i];
        sum += p;
    }
    return (float)sum;
}

int MK_ATTN_FN(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v, int64_t v_stride, int32_t len,
               int32_t hd_k, int32_t hd_v, float scale, float *out) {
    float qh[MK_ATTN_MAX_HD], acc[MK_ATTN_MAX_HD];
    int i;
    for (i = 0; i + 16 <= hd_k; i += 16) v_st(qh + i, v_round_h(v_ldf(q + i)));
    for (; i < hd_k; i++) qh[i] = round_h(q[i]);
    for (i = 0; i < hd_v; i++) acc[i] = 0.0f;
    float sum = 0.0f, m = -INFINITY;
    for (int32_t s = 0; s < len; s++) {
        const float sc = dot_f16(k + s * k_stride, qh, hd_k) * scale;
        float ms = 1.0f, vs = 1.0f;
        if (sc > m) {
            const float m_old = m;
            m = sc;
            ms = expf(m_old - m);
            const v16 f = v_set1(ms);
            for (i = 0; i + 16 <= hd_v; i += 16) v_st(acc + i, v_round_h(v_mul(v_ldf(acc + i), f)));
            for (; i < hd_v; i++) acc[i] = round_h(acc[i] * ms);
        } else {
            vs = expf(sc - m);
        }
        const uint16_t *vr = v + s * v_stride;
        const v16 w = v_set1(vs);
        for (i = 0; i + 16 <= hd_v; i += 16) v_st(acc + i, v_round_h(v_fma(v_ldh(vr + i), w, v_ldf(acc + i))));
        for (; i < hd_v; i++) acc[i] = round_h(fmaf(h2f(vr[i]), vs, acc[i]));
        sum = fmaf(sum, ms, vs);
    }
    const float inv = sum == 0.0f ? 0.0f : 1.0f / sum;
    for (i = 0; i < hd_v; i++) out[i] = acc[i] * inv;
    return 0;
}
