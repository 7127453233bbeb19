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
 * Compiled with AVX-512 F and F16C, no contraction: every fused operation above is written as one.
 */
#include <immintrin.h>
#include <math.h>
#include "mk_internal.h"

static inline __m512 round_h16(__m512 x) {
    return _mm512_cvtph_ps(_mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

static inline float round_h(float x) { return _cvtsh_ss(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)); }

/* GCC's _mm512_reduce_add_ps, spelled out so that another compiler sums in the same order. */
static inline float reduce16(__m512 v) {
    const __m256 h = _mm256_add_ps(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)), _mm512_castps512_ps256(v));
    const __m128 q = _mm_add_ps(_mm256_extractf128_ps(h, 1), _mm256_castps256_ps128(h));
    const __m128 p = _mm_add_ps(q, _mm_shuffle_ps(q, q, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm_cvtss_f32(p) + _mm_cvtss_f32(_mm_shuffle_ps(p, p, 1));
}

static inline __m512 ld_h16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }

static inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

/* x: the key (F16), y: the F16-rounded query (float). */
static float dot_f16(const uint16_t *x, const float *y, int n) {
    const int np = n & ~63;
    double sum = 0;
    if (np > 0) {
        __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < np; i += 64) {
            a0 = _mm512_fmadd_ps(ld_h16(x + i), _mm512_loadu_ps(y + i), a0);
            a1 = _mm512_fmadd_ps(ld_h16(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
            a2 = _mm512_fmadd_ps(ld_h16(x + i + 32), _mm512_loadu_ps(y + i + 32), a2);
            a3 = _mm512_fmadd_ps(ld_h16(x + i + 48), _mm512_loadu_ps(y + i + 48), a3);
        }
        sum = reduce16(_mm512_add_ps(_mm512_add_ps(a0, a2), _mm512_add_ps(a1, a3)));
    }
    for (int i = np; i < n; i++) {
        const float p = h2f(x[i]) * y[i];
        sum += p;
    }
    return (float)sum;
}

int mk_attn_f16_avx512(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v, int64_t v_stride,
                       int32_t len, int32_t hd_k, int32_t hd_v, float scale, float *out) {
    float qh[MK_ATTN_MAX_HD], acc[MK_ATTN_MAX_HD];
    int i;
    for (i = 0; i + 16 <= hd_k; i += 16) _mm512_storeu_ps(qh + i, round_h16(_mm512_loadu_ps(q + i)));
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
            const __m512 f = _mm512_set1_ps(ms);
            for (i = 0; i + 16 <= hd_v; i += 16) _mm512_storeu_ps(acc + i, round_h16(_mm512_mul_ps(_mm512_loadu_ps(acc + i), f)));
            for (; i < hd_v; i++) acc[i] = round_h(acc[i] * ms);
        } else {
            vs = expf(sc - m);
        }
        const uint16_t *vr = v + s * v_stride;
        const __m512 w = _mm512_set1_ps(vs);
        for (i = 0; i + 16 <= hd_v; i += 16)
            _mm512_storeu_ps(acc + i, round_h16(_mm512_fmadd_ps(ld_h16(vr + i), w, _mm512_loadu_ps(acc + i))));
        for (; i < hd_v; i++) acc[i] = round_h(fmaf(h2f(vr[i]), vs, acc[i]));
        sum = fmaf(sum, ms, vs);
    }
    const float inv = sum == 0.0f ? 0.0f : 1.0f / sum;
    for (i = 0; i < hd_v; i++) out[i] = acc[i] * inv;
    return 0;
}
