/*
 * x86 SIMD kernels, compiled twice: by mk_avx2.c (AVX2 + FMA + F16C) and by mk_avx512.c
 * (adds AVX-512 F/BW/VL/VNNI, MK_AVX512 = 1). Integer dot products use 256-bit registers in
 * both; with VNNI the byte products are summed by vpdpbusd instead of vpmaddubsw + vpmaddwd.
 * Float types use 512-bit registers in the AVX-512 build. Sums are formed per block in
 * exact int32 and scaled in float; the float summation order differs from the scalar
 * reference (results agree to rounding).
 *
 * The including file defines MK_TABLE_FN, the name of the table-filling function.
 */
#include <immintrin.h>
#include "mk_internal.h"

#ifndef MK_AVX512
#define MK_AVX512 0
#endif

#define MK_INLINE static inline __attribute__((always_inline))

MK_INLINE float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

MK_INLINE int hsum8i(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
    return _mm_cvtsi128_si32(s);
}

MK_INLINE float h2f(const uint8_t *p) { return _cvtsh_ss(mk_u16(p)); }

/* Unsigned bytes u (0..255 with VNNI, 0..127 otherwise) times signed bytes s, summed in fours to int32. */
MK_INLINE __m256i dot_us(__m256i u, __m256i s) {
#if MK_AVX512
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
#else
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
#endif
}

/* Signed bytes times signed bytes (|a| <= 128, |b| <= 127), summed in fours to int32. */
MK_INLINE __m256i dot_ss(__m256i a, __m256i b) {
    return dot_us(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
}

/* 16 packed bytes to 32 nibbles: byte j low nibble -> lane j, high nibble -> lane j + 16. */
MK_INLINE __m256i nibbles32(const uint8_t *p) {
    __m128i q = _mm_loadu_si128((const __m128i *)p);
    __m256i v = _mm256_set_m128i(_mm_srli_epi16(q, 4), q);
    return _mm256_and_si256(v, _mm256_set1_epi8(0x0f));
}

/* 32 bits to 32 bytes: lane i is 0xFF when bit i is set, else 0. */
MK_INLINE __m256i bits32(uint32_t bits) {
    const __m256i shuf = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                          2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i sel = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)bits), shuf);
    return _mm256_cmpeq_epi8(_mm256_and_si256(v, sel), sel);
}

MK_INLINE __m256i load32(const uint8_t *p) { return _mm256_loadu_si256((const __m256i *)p); }

/* ---------------------------------------------------------------- legacy 32-element blocks */

/* One legacy block's signed/unsigned codes as 32 bytes, and whether they are signed. */
MK_INLINE __m256i codes_q8_0(const uint8_t *x) { return load32(x + 2); }
MK_INLINE __m256i codes_q4_0(const uint8_t *x) { return _mm256_sub_epi8(nibbles32(x + 2), _mm256_set1_epi8(8)); }
MK_INLINE __m256i codes_q5_0(const uint8_t *x) {
    __m256i hi = _mm256_and_si256(bits32(mk_u32(x + 2)), _mm256_set1_epi8(0x10));
    return _mm256_sub_epi8(_mm256_or_si256(nibbles32(x + 6), hi), _mm256_set1_epi8(16));
}
MK_INLINE __m256i codes_iq4_nl(const uint8_t *x) {
    const __m256i table = _mm256_setr_epi8(-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
                                           -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);
    return _mm256_shuffle_epi8(table, nibbles32(x + 2));
}
MK_INLINE __m256i codes_q4_1(const uint8_t *x) { return nibbles32(x + 4); }
MK_INLINE __m256i codes_q5_1(const uint8_t *x) {
    __m256i hi = _mm256_and_si256(bits32(mk_u32(x + 4)), _mm256_set1_epi8(0x10));
    return _mm256_or_si256(nibbles32(x + 8), hi);
}

/*
 * Signed-code types against Q8_0 activations: per block sum_i = codes . y (int32 x 8 lanes),
 * acc += (dx * dy) * sum_i. One weight row against nt activation rows (nt <= MK_MAX_NT): each
 * weight block is decoded once and reused for every activation row.
 */
#define MK_LEGACY_SIGNED(NAME, BYTES, CODES)                                                      \
    MK_INLINE void dotnb_##NAME(int64_t n, const uint8_t *w, const uint8_t *a, int64_t as, int nt,     \
                            float *s, int64_t ss) {                                              \
        __m256 acc[MK_MAX_NT];                                                                   \
        for (int t = 0; t < MK_MAX_NT; t++) acc[t] = _mm256_setzero_ps();                        \
        const int64_t nb = n / MK_QK;                                                            \
        for (int64_t b = 0; b < nb; b++) {                                                       \
            const uint8_t *x = w + b * (BYTES), *y = a + b * MK_B_Q8_0;                          \
            const __m256i q = CODES(x);                                                          \
            const __m256i aq = _mm256_sign_epi8(q, q);                                           \
            const float dx = h2f(x);                                                             \
            for (int t = 0; t < nt; t++) {                                                       \
                const uint8_t *yt = y + t * as;                                                  \
                __m256i p = dot_us(aq, _mm256_sign_epi8(load32(yt + 2), q));                     \
                acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * h2f(yt)), _mm256_cvtepi32_ps(p), acc[t]); \
            }                                                                                    \
        }                                                                                        \
        for (int t = 0; t < nt; t++) s[t * ss] = hsum8(acc[t]);                                  \
    }                                                                                            \
    static float dot_##NAME(int64_t n, const uint8_t *w, const uint8_t *a) {                     \
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                          \
        const int64_t nb = n / MK_QK;                                                            \
        int64_t b = 0;                                                                           \
        for (; b + 1 < nb; b += 2) {                                                             \
            const uint8_t *x = w + b * (BYTES), *y = a + b * MK_B_Q8_0;                          \
            __m256i p0 = dot_ss(CODES(x), load32(y + 2));                                        \
            __m256i p1 = dot_ss(CODES(x + (BYTES)), load32(y + MK_B_Q8_0 + 2));                  \
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x) * h2f(y)), _mm256_cvtepi32_ps(p0), acc0); \
            acc1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x + (BYTES)) * h2f(y + MK_B_Q8_0)),       \
                                   _mm256_cvtepi32_ps(p1), acc1);                                \
        }                                                                                        \
        for (; b < nb; b++) {                                                                    \
            const uint8_t *x = w + b * (BYTES), *y = a + b * MK_B_Q8_0;                          \
            __m256i p0 = dot_ss(CODES(x), load32(y + 2));                                        \
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x) * h2f(y)), _mm256_cvtepi32_ps(p0), acc0); \
        }                                                                                        \
        return hsum8(_mm256_add_ps(acc0, acc1));                                                 \
    }

MK_LEGACY_SIGNED(q8_0, MK_B_Q8_0, codes_q8_0)
MK_LEGACY_SIGNED(q4_0, MK_B_Q4_0, codes_q4_0)
MK_LEGACY_SIGNED(q5_0, MK_B_Q5_0, codes_q5_0)
MK_LEGACY_SIGNED(iq4_nl, MK_B_IQ4_NL, codes_iq4_nl)

/* Unsigned codes with a min against Q8_1: acc += (dx*dy) * (q . y); plus m * s per block. */
#define MK_LEGACY_MIN(NAME, BYTES, CODES)                                                         \
    static float dot_##NAME(int64_t n, const uint8_t *w, const uint8_t *a) {                     \
        __m256 acc = _mm256_setzero_ps();                                                        \
        float summs = 0;                                                                         \
        const int64_t nb = n / MK_QK;                                                            \
        for (int64_t b = 0; b < nb; b++) {                                                       \
            const uint8_t *x = w + b * (BYTES), *y = a + b * MK_B_Q8_1;                          \
            __m256i p = dot_us(CODES(x), load32(y + 4));                                         \
            acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x) * h2f(y)), _mm256_cvtepi32_ps(p), acc);  \
            summs += h2f(x + 2) * h2f(y + 2);                                                    \
        }                                                                                        \
        return hsum8(acc) + summs;                                                               \
    }

MK_LEGACY_MIN(q4_1, MK_B_Q4_1, codes_q4_1)
MK_LEGACY_MIN(q5_1, MK_B_Q5_1, codes_q5_1)

/* ---------------------------------------------------------------- K-quants */

/* 32 unsigned codes (< 128) times 32 activations, weighted by the scales of their two halves. */
MK_INLINE __m256i scaled32(__m256i q, const uint8_t *y, __m256i sc) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q, load32(y)), sc);
}

/* Q4_K / Q5_K six-bit scales and mins of one block: sc[0..7], m[0..7]. */
MK_INLINE void kmin_scales(const uint8_t *b, uint8_t sc[8], uint8_t m[8]) {
    uint32_t u0 = mk_u32(b), u1 = mk_u32(b + 4), u2 = mk_u32(b + 8);
    uint32_t s_lo = u0 & 0x3f3f3f3fu, m_lo = u1 & 0x3f3f3f3fu;
    uint32_t s_hi = (u2 & 0x0f0f0f0fu) | ((u0 >> 2) & 0x30303030u);
    uint32_t m_hi = ((u2 >> 4) & 0x0f0f0f0fu) | ((u1 >> 2) & 0x30303030u);
    memcpy(sc, &s_lo, 4);
    memcpy(sc + 4, &s_hi, 4);
    memcpy(m, &m_lo, 4);
    memcpy(m + 4, &m_hi, 4);
}

/* Sum over the 16 bsums of an activation block times per-group int16 factors. */
MK_INLINE __m256i bsums_dot(const uint8_t *y, __m256i factors16) {
    return _mm256_madd_epi16(load32(y + 260), factors16);
}

/* Q4_K (QS at 16) and Q5_K (QH at 16, QS at 48) against Q8_K. */
MK_INLINE void kmin_block(const uint8_t *x, const uint8_t *y, int q5, __m256 *acc, float *accm) {
    uint8_t sc[8], m[8];
    kmin_scales(x + 4, sc, m);
    const float yd = mk_f32(y);
    __m128i m8 = _mm_loadl_epi64((const __m128i *)m);
    __m256i mins = bsums_dot(y, _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8)));
    *accm += (h2f(x + 2) * yd) * (float)hsum8i(mins);
    const uint8_t *qs = x + (q5 ? 48 : 16);
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256i qh = q5 ? load32(x + 16) : _mm256_setzero_si256();
    __m256i sumi = _mm256_setzero_si256();
    for (int j = 0; j < 4; j++) {
        __m256i q = load32(qs + 32 * j);
        __m256i lo = _mm256_and_si256(q, m4);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
        if (q5) {
            const __m256i b4 = _mm256_set1_epi8(0x10);
            lo = _mm256_or_si256(lo, _mm256_and_si256(_mm256_slli_epi16(qh, 4), b4));
            hi = _mm256_or_si256(hi, _mm256_and_si256(_mm256_slli_epi16(qh, 3), b4));
            qh = _mm256_srli_epi16(qh, 2);
        }
        const uint8_t *yj = y + 4 + 64 * j;
        __m256i plo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, load32(yj)), _mm256_set1_epi16(sc[2 * j]));
        __m256i phi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, load32(yj + 32)), _mm256_set1_epi16(sc[2 * j + 1]));
        sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(plo, phi));
    }
    *acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x) * yd), _mm256_cvtepi32_ps(sumi), *acc);
}

static float dot_q4_K(int64_t n, const uint8_t *w, const uint8_t *a) {
    __m256 acc = _mm256_setzero_ps();
    float accm = 0;
    for (int64_t b = 0; b < n / MK_QK_K; b++) kmin_block(w + b * MK_B_Q4_K, a + b * MK_B_Q8_K, 0, &acc, &accm);
    return hsum8(acc) - accm;
}

static float dot_q5_K(int64_t n, const uint8_t *w, const uint8_t *a) {
    __m256 acc = _mm256_setzero_ps();
    float accm = 0;
    for (int64_t b = 0; b < n / MK_QK_K; b++) kmin_block(w + b * MK_B_Q5_K, a + b * MK_B_Q8_K, 1, &acc, &accm);
    return hsum8(acc) - accm;
}

/* Q4_K, one weight row against nt activation rows: codes and scales decoded once per block. */
MK_INLINE void dotnb_q4_K(int64_t n, const uint8_t *w, const uint8_t *a, int64_t as, int nt, float *s, int64_t ss) {
    __m256 acc[MK_MAX_NT];
    float accm[MK_MAX_NT];
    __m128 accm4[MK_MAX_NT]; /* mk_exact: ggml_vec_dot_q4_K_q8_K's four-lane mins accumulator */
    const int exact = mk_exact;
    for (int t = 0; t < MK_MAX_NT; t++) {
        acc[t] = _mm256_setzero_ps();
        accm[t] = 0;
        accm4[t] = _mm_setzero_ps();
    }
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    for (int64_t b = 0; b < n / MK_QK_K; b++) {
        const uint8_t *x = w + b * MK_B_Q4_K, *y = a + b * MK_B_Q8_K;
        uint8_t sc[8], m[8];
        kmin_scales(x + 4, sc, m);
        __m128i m8 = _mm_loadl_epi64((const __m128i *)m);
        const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));
        const float d = h2f(x), dmin = h2f(x + 2);
        __m256i q[8], scv[8];
        for (int j = 0; j < 4; j++) {
            __m256i v = load32(x + 16 + 32 * j);
            q[2 * j] = _mm256_and_si256(v, m4);
            q[2 * j + 1] = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
            scv[2 * j] = _mm256_set1_epi16(sc[2 * j]);
            scv[2 * j + 1] = _mm256_set1_epi16(sc[2 * j + 1]);
        }
        for (int t = 0; t < nt; t++) {
            const uint8_t *yt = y + t * as;
            const float yd = mk_f32(yt);
            if (exact) {
                const __m256i bs = load32(yt + 260);
                const __m128i q8s = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
                const __m128i prod = _mm_madd_epi16(_mm_cvtepu8_epi16(m8), q8s);
                accm4[t] = _mm_fmadd_ps(_mm_set1_ps(-yd * dmin), _mm_cvtepi32_ps(prod), accm4[t]);
            } else {
                accm[t] += (dmin * yd) * (float)hsum8i(bsums_dot(yt, mins16));
            }
            __m256i sumi = _mm256_setzero_si256();
            for (int k = 0; k < 8; k++)
                sumi = _mm256_add_epi32(sumi, scaled32(q[k], yt + 4 + 32 * k, scv[k]));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * yd), _mm256_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < nt; t++) {
        if (exact) {
            __m128 m = _mm_add_ps(accm4[t], _mm_movehl_ps(accm4[t], accm4[t]));
            m = _mm_add_ss(m, _mm_movehdup_ps(m));
            s[t * ss] = hsum8(acc[t]) + _mm_cvtss_f32(m);
        } else {
            s[t * ss] = hsum8(acc[t]) - accm[t];
        }
    }
}

/* Q6_K codes (0..63, value - 32) of one 128-element half: groups g = 0..3 of 32 elements. */
MK_INLINE void q6_codes(const uint8_t *x, int h, __m256i q[4]) {
    const __m256i m4 = _mm256_set1_epi8(0x0f), m2 = _mm256_set1_epi8(0x30);
    __m256i ql0 = load32(x + 64 * h), ql1 = load32(x + 64 * h + 32), qh = load32(x + 128 + 32 * h);
    q[0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_and_si256(_mm256_slli_epi16(qh, 4), m2));
    q[1] = _mm256_or_si256(_mm256_and_si256(ql1, m4), _mm256_and_si256(_mm256_slli_epi16(qh, 2), m2));
    q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_and_si256(qh, m2));
    q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4), _mm256_and_si256(_mm256_srli_epi16(qh, 2), m2));
}

/* Q3_K codes (0..7, value - 4) of one 128-element half. */
MK_INLINE void q3_codes(const uint8_t *x, int h, __m256i q[4]) {
    const __m256i m3 = _mm256_set1_epi8(3), b2 = _mm256_set1_epi8(4);
    __m256i qs = load32(x + 32 + 32 * h), hm = load32(x);
    hm = h ? _mm256_srli_epi16(hm, 4) : hm;
    q[0] = _mm256_or_si256(_mm256_and_si256(qs, m3), _mm256_and_si256(_mm256_slli_epi16(hm, 2), b2));
    q[1] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(qs, 2), m3), _mm256_and_si256(_mm256_slli_epi16(hm, 1), b2));
    q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(qs, 4), m3), _mm256_and_si256(hm, b2));
    q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(qs, 6), m3), _mm256_and_si256(_mm256_srli_epi16(hm, 1), b2));
}

/* Q2_K codes (0..3) of one 128-element half. */
MK_INLINE void q2_codes(const uint8_t *x, int h, __m256i q[4]) {
    const __m256i m3 = _mm256_set1_epi8(3);
    __m256i qs = load32(x + 16 + 32 * h);
    q[0] = _mm256_and_si256(qs, m3);
    q[1] = _mm256_and_si256(_mm256_srli_epi16(qs, 2), m3);
    q[2] = _mm256_and_si256(_mm256_srli_epi16(qs, 4), m3);
    q[3] = _mm256_and_si256(_mm256_srli_epi16(qs, 6), m3);
}

/* Sixteen Q3_K scales, sc_j in -32..31, as 16 int8 lanes (built in a register: no store-to-load stall). */
MK_INLINE __m128i q3_scales(const uint8_t *b) {
    uint32_t u0 = mk_u32(b), u1 = mk_u32(b + 4), u2 = mk_u32(b + 8);
    __m128i r = _mm_setr_epi32((int)((u0 & 0x0f0f0f0fu) | ((u2 & 0x03030303u) << 4)),
                               (int)((u1 & 0x0f0f0f0fu) | (((u2 >> 2) & 0x03030303u) << 4)),
                               (int)(((u0 >> 4) & 0x0f0f0f0fu) | (((u2 >> 4) & 0x03030303u) << 4)),
                               (int)(((u1 >> 4) & 0x0f0f0f0fu) | (((u2 >> 6) & 0x03030303u) << 4)));
    return _mm_sub_epi8(r, _mm_set1_epi8(32));
}

/* Scales of sub-blocks (j, j+1) for j = 2k, k = 0..7, as 16 int16 lanes each (lanes 0-7: j, 8-15: j+1). */
MK_INLINE void scale_pairs(__m128i sc8, __m256i out[8]) {
    const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
    /* within each 128-bit lane, broadcast one int16 to 8 lanes: lane A picks sc[2k], lane B sc[2k+1] */
    for (int k = 0; k < 8; k++) {
        const int lo = 2 * k, hi = 2 * k + 1;
        __m256i sel = _mm256_setr_epi8((char)(2 * (lo % 8)), (char)(2 * (lo % 8) + 1), (char)(2 * (lo % 8)), (char)(2 * (lo % 8) + 1),
                                       (char)(2 * (lo % 8)), (char)(2 * (lo % 8) + 1), (char)(2 * (lo % 8)), (char)(2 * (lo % 8) + 1),
                                       (char)(2 * (lo % 8)), (char)(2 * (lo % 8) + 1), (char)(2 * (lo % 8)), (char)(2 * (lo % 8) + 1),
                                       (char)(2 * (lo % 8)), (char)(2 * (lo % 8) + 1), (char)(2 * (lo % 8)), (char)(2 * (lo % 8) + 1),
                                       (char)(2 * (hi % 8)), (char)(2 * (hi % 8) + 1), (char)(2 * (hi % 8)), (char)(2 * (hi % 8) + 1),
                                       (char)(2 * (hi % 8)), (char)(2 * (hi % 8) + 1), (char)(2 * (hi % 8)), (char)(2 * (hi % 8) + 1),
                                       (char)(2 * (hi % 8)), (char)(2 * (hi % 8) + 1), (char)(2 * (hi % 8)), (char)(2 * (hi % 8) + 1),
                                       (char)(2 * (hi % 8)), (char)(2 * (hi % 8) + 1), (char)(2 * (hi % 8)), (char)(2 * (hi % 8) + 1));
        /* sc16 holds sc[0..7] in the low 128-bit lane and sc[8..15] in the high one: pick the source lane */
        __m256i src = k < 4 ? _mm256_permute2x128_si256(sc16, sc16, 0x00) : _mm256_permute2x128_si256(sc16, sc16, 0x11);
        out[k] = _mm256_shuffle_epi8(src, sel);
    }
}

/*
 * Q6_K / Q3_K: codes stored with an offset (32 / 4); sum = sum_j sc_j (q . y)_j - offset * sum_j sc_j bsum_j.
 */
MK_INLINE __m256i k16_block_sum(const uint8_t *x, const uint8_t *y, __m128i sc8, int q6) {
    __m256i scv[8];
    scale_pairs(sc8, scv);
    __m256i sumi = _mm256_setzero_si256();
    for (int h = 0; h < 2; h++) {
        __m256i q[4];
        if (q6) q6_codes(x, h, q);
        else q3_codes(x, h, q);
        for (int g = 0; g < 4; g++)
            sumi = _mm256_add_epi32(sumi, scaled32(q[g], y + 4 + 128 * h + 32 * g, scv[4 * h + g]));
    }
    __m256i corr = bsums_dot(y, _mm256_cvtepi8_epi16(sc8));
    return _mm256_sub_epi32(sumi, q6 ? _mm256_slli_epi32(corr, 5) : _mm256_slli_epi32(corr, 2));
}

static float dot_q6_K(int64_t n, const uint8_t *w, const uint8_t *a) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / MK_QK_K; b++) {
        const uint8_t *x = w + b * MK_B_Q6_K, *y = a + b * MK_B_Q8_K;
        __m256i sumi = k16_block_sum(x, y, _mm_loadu_si128((const __m128i *)(x + 192)), 1);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x + 208) * mk_f32(y)), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc);
}

static float dot_q3_K(int64_t n, const uint8_t *w, const uint8_t *a) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / MK_QK_K; b++) {
        const uint8_t *x = w + b * MK_B_Q3_K, *y = a + b * MK_B_Q8_K;
        __m256i sumi = k16_block_sum(x, y, q3_scales(x + 96), 0);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x + 108) * mk_f32(y)), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc);
}

/* Q6_K, one weight row against nt activation rows. */
MK_INLINE void dotnb_q6_K(int64_t n, const uint8_t *w, const uint8_t *a, int64_t as, int nt, float *s, int64_t ss) {
    __m256 acc[MK_MAX_NT];
    for (int t = 0; t < MK_MAX_NT; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / MK_QK_K; b++) {
        const uint8_t *x = w + b * MK_B_Q6_K, *y = a + b * MK_B_Q8_K;
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)(x + 192));
        __m256i q[8], scv[8];
        q6_codes(x, 0, q);
        q6_codes(x, 1, q + 4);
        scale_pairs(sc8, scv);
        const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
        const float d = h2f(x + 208);
        for (int t = 0; t < nt; t++) {
            const uint8_t *yt = y + t * as;
            __m256i sumi = _mm256_setzero_si256();
            for (int k = 0; k < 8; k++) sumi = _mm256_add_epi32(sumi, scaled32(q[k], yt + 4 + 32 * k, scv[k]));
            sumi = _mm256_sub_epi32(sumi, _mm256_slli_epi32(bsums_dot(yt, sc16), 5));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * mk_f32(yt)), _mm256_cvtepi32_ps(sumi), acc[t]);
        }
    }
    for (int t = 0; t < nt; t++) s[t * ss] = hsum8(acc[t]);
}

static float dot_q2_K(int64_t n, const uint8_t *w, const uint8_t *a) {
    __m256 acc = _mm256_setzero_ps();
    float accm = 0;
    for (int64_t b = 0; b < n / MK_QK_K; b++) {
        const uint8_t *x = w + b * MK_B_Q2_K, *y = a + b * MK_B_Q8_K;
        const float yd = mk_f32(y);
        __m128i s8 = _mm_loadu_si128((const __m128i *)x);
        __m256i mins16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(s8, 4), _mm_set1_epi8(0x0f)));
        accm += (yd * h2f(x + 82)) * (float)hsum8i(bsums_dot(y, mins16));
        __m256i scv[8];
        scale_pairs(_mm_and_si128(s8, _mm_set1_epi8(0x0f)), scv);
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            __m256i q[4];
            q2_codes(x, h, q);
            for (int g = 0; g < 4; g++) sumi = _mm256_add_epi32(sumi, scaled32(q[g], y + 4 + 128 * h + 32 * g, scv[4 * h + g]));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(yd * h2f(x + 80)), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc) - accm;
}

/* ---------------------------------------------------------------- float types */

#if MK_AVX512
MK_INLINE float hsum16(__m512 v) { return _mm512_reduce_add_ps(v); }
MK_INLINE __m512 ld_f16x16(const uint8_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
MK_INLINE __m512 ld_bf16x16(const uint8_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
}
MK_INLINE __m512 ld_f32x16(const uint8_t *p) { return _mm512_loadu_ps((const float *)p); }
#define MK_FLOAT_DOT(NAME, ESZ, LOAD, SCALAR, ALOAD)                                                    \
    static float dot_##NAME(int64_t n, const uint8_t *w, const uint8_t *a) {                     \
        __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;                              \
        int64_t i = 0;                                                                           \
        for (; i + 64 <= n; i += 64) {                                                           \
            s0 = _mm512_fmadd_ps(LOAD(w + (i) * ESZ), ALOAD(a + (i) * 4), s0);                  \
            s1 = _mm512_fmadd_ps(LOAD(w + (i + 16) * ESZ), ALOAD(a + (i + 16) * 4), s1);        \
            s2 = _mm512_fmadd_ps(LOAD(w + (i + 32) * ESZ), ALOAD(a + (i + 32) * 4), s2);        \
            s3 = _mm512_fmadd_ps(LOAD(w + (i + 48) * ESZ), ALOAD(a + (i + 48) * 4), s3);        \
        }                                                                                        \
        for (; i + 16 <= n; i += 16) s0 = _mm512_fmadd_ps(LOAD(w + i * ESZ), ALOAD(a + i * 4), s0); \
        float sum = hsum16(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));         \
        for (; i < n; i++) sum += SCALAR(w + i * ESZ) * mk_f32(a + i * 4);                     \
        return sum;                                                                              \
    }
#else
MK_INLINE __m256 ld_f16x8(const uint8_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
MK_INLINE __m256 ld_bf16x8(const uint8_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}
MK_INLINE __m256 ld_f32x8(const uint8_t *p) { return _mm256_loadu_ps((const float *)p); }
#define MK_FLOAT_DOT(NAME, ESZ, LOAD, SCALAR, ALOAD)                                                    \
    static float dot_##NAME(int64_t n, const uint8_t *w, const uint8_t *a) {                     \
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;                              \
        int64_t i = 0;                                                                           \
        for (; i + 32 <= n; i += 32) {                                                           \
            s0 = _mm256_fmadd_ps(LOAD(w + (i) * ESZ), ALOAD(a + (i) * 4), s0);                  \
            s1 = _mm256_fmadd_ps(LOAD(w + (i + 8) * ESZ), ALOAD(a + (i + 8) * 4), s1);          \
            s2 = _mm256_fmadd_ps(LOAD(w + (i + 16) * ESZ), ALOAD(a + (i + 16) * 4), s2);        \
            s3 = _mm256_fmadd_ps(LOAD(w + (i + 24) * ESZ), ALOAD(a + (i + 24) * 4), s3);        \
        }                                                                                        \
        for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(LOAD(w + i * ESZ), ALOAD(a + i * 4), s0); \
        float sum = hsum8(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));          \
        for (; i < n; i++) sum += SCALAR(w + i * ESZ) * mk_f32(a + i * 4);                     \
        return sum;                                                                              \
    }
#define ld_f16x16 ld_f16x8
#define ld_bf16x16 ld_bf16x8
#define ld_f32x16 ld_f32x8
#endif

/* Float vector of the build: 16 lanes with AVX-512, 8 with AVX2. */
#if MK_AVX512
#define MK_FW 16
typedef __m512 mk_fvec;
#define mk_fzero _mm512_setzero_ps
#define mk_ffma _mm512_fmadd_ps
#define mk_fadd _mm512_add_ps
#define mk_fhsum hsum16
#else
#define MK_FW 8
typedef __m256 mk_fvec;
#define mk_fzero _mm256_setzero_ps
#define mk_ffma _mm256_fmadd_ps
#define mk_fadd _mm256_add_ps
#define mk_fhsum hsum8
#endif

/*
 * One float row against nt activation rows: each weight vector is loaded and converted once. One accumulator per
 * token, reduced by the build's horizontal sum, then the tail: the order of the AVX-512 prompt tiles (gemm_f16
 * and friends below), so that a token's result does not depend on the batch it came in.
 */
#define MK_FLOAT_DOTN(NAME, ESZ, LOAD, SCALAR, ALOAD)                                                   \
    MK_INLINE void dotnb_##NAME(int64_t n, const uint8_t *w, const uint8_t *a, int64_t as, int nt,     \
                            float *s, int64_t ss) {                                              \
        mk_fvec acc[MK_MAX_NT];                                                                  \
        for (int t = 0; t < MK_MAX_NT; t++) acc[t] = mk_fzero();                                 \
        int64_t i = 0;                                                                           \
        for (; i + MK_FW <= n; i += MK_FW) {                                                     \
            const mk_fvec w0 = LOAD(w + i * ESZ);                                                \
            for (int t = 0; t < nt; t++) acc[t] = mk_ffma(w0, ALOAD(a + t * as + i * 4), acc[t]); \
        }                                                                                        \
        for (int t = 0; t < nt; t++) {                                                           \
            float sum = mk_fhsum(acc[t]);                                                        \
            for (int64_t k = i; k < n; k++) sum += SCALAR(w + k * ESZ) * mk_f32(a + t * as + k * 4); \
            s[t * ss] = sum;                                                                     \
        }                                                                                        \
    }

MK_INLINE float sc_f16(const uint8_t *p) { return h2f(p); }
MK_INLINE float sc_bf16(const uint8_t *p) { return mk_bf2f(mk_u16(p)); }
MK_INLINE float sc_f32(const uint8_t *p) { return mk_f32(p); }

/*
 * MK_FROWS float rows against one token (mk_rows_fn): each row keeps dotnb's single accumulator and order, so the
 * results equal dotn with one token bit for bit; the rows' chains run side by side and each activation vector is
 * loaded once for all of them. For long rows this is what keeps a single-token pass at memory speed: one row's
 * chain waits on the FMA latency (4 cycles per 16 weights), and an activation row wider than L1 would be reloaded
 * from L2 for every weight row.
 */
#define MK_FLOAT_ROWS(NAME, ESZ, LOAD, SCALAR, ALOAD)                                                   \
    static void rows_##NAME(int64_t n, const uint8_t *w, int64_t ws, const uint8_t *a, float *s) {     \
        mk_fvec acc[MK_FROWS];                                                                     \
        for (int k = 0; k < MK_FROWS; k++) acc[k] = mk_fzero();                                    \
        int64_t i = 0;                                                                             \
        for (; i + MK_FW <= n; i += MK_FW) {                                                       \
            const mk_fvec x = ALOAD(a + i * 4);                                                    \
            for (int k = 0; k < MK_FROWS; k++) acc[k] = mk_ffma(LOAD(w + k * ws + i * ESZ), x, acc[k]); \
        }                                                                                          \
        for (int k = 0; k < MK_FROWS; k++) {                                                       \
            float sum = mk_fhsum(acc[k]);                                                          \
            for (int64_t j = i; j < n; j++) sum += SCALAR(w + k * ws + j * ESZ) * mk_f32(a + j * 4); \
            s[k] = sum;                                                                            \
        }                                                                                          \
    }

/* Activations of all three float types are float32 (see mbllm_act_row_bytes). */
MK_FLOAT_DOT(f16, 2, ld_f16x16, sc_f16, ld_f32x16)
MK_FLOAT_DOT(bf16, 2, ld_bf16x16, sc_bf16, ld_f32x16)
MK_FLOAT_DOT(f32, 4, ld_f32x16, sc_f32, ld_f32x16)
MK_FLOAT_DOTN(f16, 2, ld_f16x16, sc_f16, ld_f32x16)
MK_FLOAT_DOTN(bf16, 2, ld_bf16x16, sc_bf16, ld_f32x16)
MK_FLOAT_DOTN(f32, 4, ld_f32x16, sc_f32, ld_f32x16)
MK_FLOAT_ROWS(f16, 2, ld_f16x16, sc_f16, ld_f32x16)
MK_FLOAT_ROWS(bf16, 2, ld_bf16x16, sc_bf16, ld_f32x16)
MK_FLOAT_ROWS(f32, 4, ld_f32x16, sc_f32, ld_f32x16)

/*
 * The multi-token kernels above keep one accumulator per token; they are instantiated for each constant token
 * count so that the accumulators stay in registers.
 */
#define MK_DOTN_SPECIALIZE(NAME)                                                                  \
    static void dotn_##NAME(int64_t n, const uint8_t *w, const uint8_t *a, int64_t as, int nt,    \
                            float *s, int64_t ss) {                                             \
        switch (nt) {                                                                           \
        case 4: dotnb_##NAME(n, w, a, as, 4, s, ss); break;                                     \
        case 3: dotnb_##NAME(n, w, a, as, 3, s, ss); break;                                     \
        case 2: dotnb_##NAME(n, w, a, as, 2, s, ss); break;                                     \
        default: dotnb_##NAME(n, w, a, as, 1, s, ss); break;                                    \
        }                                                                                       \
    }

MK_DOTN_SPECIALIZE(q8_0)
MK_DOTN_SPECIALIZE(q4_0)
MK_DOTN_SPECIALIZE(q5_0)
MK_DOTN_SPECIALIZE(iq4_nl)
MK_DOTN_SPECIALIZE(q4_K)
MK_DOTN_SPECIALIZE(q6_K)
MK_DOTN_SPECIALIZE(f16)
MK_DOTN_SPECIALIZE(bf16)
MK_DOTN_SPECIALIZE(f32)

/* ---------------------------------------------------------------- prompt tiles (AVX-512 build: 32 registers) */
#if MK_AVX512

/*
 * Legacy types against Q8_0, MK_GR rows x MK_GT tokens. vpdpbusd multiplies unsigned by signed bytes, so each
 * product is formed without sign fix-ups and corrected inside the same instruction's int32 accumulator:
 *  - unsigned codes with an offset (Q4_0: nibble - 8, Q5_0: 5-bit - 16): sum = dpbusd(-off*bsum4(y), u, y),
 *    the correction computed once per token and block;
 *  - signed codes (Q8_0, IQ4_NL): y + 128 is unsigned, sum = dpbusd(-128*bsum4(q), y^0x80, q), the correction
 *    computed once per row and block.
 * The block sums are exact int32, scaled by (dx*dy) as the per-row kernels do: the same floats in the same order.
 */
#define MK_GEMM_LEGACY(NAME, BYTES, UCODES, OFFSET, SCODES)                                          \
    static void gemm_##NAME(int64_t n, const uint8_t *w, int64_t ws, const uint8_t *a, int64_t as,    \
                            float *s, int64_t ss) {                                                  \
        __m256 acc[MK_GR][MK_GT];                                                                    \
        for (int r = 0; r < MK_GR; r++)                                                              \
            for (int t = 0; t < MK_GT; t++) acc[r][t] = _mm256_setzero_ps();                         \
        const int64_t nb = n / MK_QK;                                                                \
        for (int64_t b = 0; b < nb; b++) {                                                           \
            __m256i q[MK_GR], rc[MK_GR];                                                             \
            __m256 dr[MK_GR];                                                                        \
            for (int r = 0; r < MK_GR; r++) {                                                        \
                const uint8_t *x = w + r * ws + b * (BYTES);                                         \
                if (OFFSET) {                                                                        \
                    q[r] = UCODES(x);                                                                \
                } else {                                                                             \
                    q[r] = SCODES(x);                                                                \
                    rc[r] = _mm256_sub_epi32(_mm256_setzero_si256(),                                 \
                                             dot_us(_mm256_set1_epi8((char)0x80), q[r]));            \
                }                                                                                    \
                dr[r] = _mm256_set1_ps(h2f(x));                                                      \
            }                                                                                        \
            for (int t = 0; t < MK_GT; t++) {                                                        \
                const uint8_t *y = a + t * as + b * MK_B_Q8_0;                                       \
                const __m256i yv = load32(y + 2);                                                    \
                const __m256 dt = _mm256_set1_ps(h2f(y));                                            \
                if (OFFSET) {                                                                        \
                    const __m256i tc = _mm256_sub_epi32(_mm256_setzero_si256(),                      \
                                                        dot_us(_mm256_set1_epi8(OFFSET), yv));       \
                    for (int r = 0; r < MK_GR; r++) {                                                \
                        __m256i p = _mm256_dpbusd_epi32(tc, q[r], yv);                               \
                        acc[r][t] = _mm256_fmadd_ps(_mm256_mul_ps(dr[r], dt), _mm256_cvtepi32_ps(p), acc[r][t]); \
                    }                                                                                \
                } else {                                                                             \
                    const __m256i yu = _mm256_xor_si256(yv, _mm256_set1_epi8((char)0x80));           \
                    for (int r = 0; r < MK_GR; r++) {                                                \
                        __m256i p = _mm256_dpbusd_epi32(rc[r], yu, q[r]);                            \
                        acc[r][t] = _mm256_fmadd_ps(_mm256_mul_ps(dr[r], dt), _mm256_cvtepi32_ps(p), acc[r][t]); \
                    }                                                                                \
                }                                                                                    \
            }                                                                                        \
        }                                                                                            \
        for (int r = 0; r < MK_GR; r++)                                                              \
            for (int t = 0; t < MK_GT; t++) s[t * ss + r] = hsum8(acc[r][t]);                         \
    }

MK_INLINE __m256i ucodes_q4_0(const uint8_t *x) { return nibbles32(x + 2); }
MK_INLINE __m256i ucodes_q5_0(const uint8_t *x) {
    __m256i hi = _mm256_and_si256(bits32(mk_u32(x + 2)), _mm256_set1_epi8(0x10));
    return _mm256_or_si256(nibbles32(x + 6), hi);
}

MK_GEMM_LEGACY(q4_0, MK_B_Q4_0, ucodes_q4_0, 8, codes_q4_0)
MK_GEMM_LEGACY(q5_0, MK_B_Q5_0, ucodes_q5_0, 16, codes_q5_0)
MK_GEMM_LEGACY(q8_0, MK_B_Q8_0, codes_q8_0, 0, codes_q8_0)
MK_GEMM_LEGACY(iq4_nl, MK_B_IQ4_NL, codes_iq4_nl, 0, codes_iq4_nl)

/* Float weights (F16/BF16/F32) against float32 activations: 16 accumulators of 16 lanes, one conversion per load. */
#define MK_GEMM_FLOAT(NAME, ESZ, LOAD, SCALAR)                                                       \
    static void gemm_##NAME(int64_t n, const uint8_t *w, int64_t ws, const uint8_t *a, int64_t as,    \
                            float *s, int64_t ss) {                                                  \
        __m512 acc[MK_GR][MK_GT];                                                                    \
        for (int r = 0; r < MK_GR; r++)                                                              \
            for (int t = 0; t < MK_GT; t++) acc[r][t] = _mm512_setzero_ps();                         \
        int64_t i = 0;                                                                               \
        for (; i + 16 <= n; i += 16) {                                                               \
            __m512 wv[MK_GR];                                                                        \
            for (int r = 0; r < MK_GR; r++) wv[r] = LOAD(w + r * ws + i * ESZ);                      \
            for (int t = 0; t < MK_GT; t++) {                                                        \
                const __m512 av = _mm512_loadu_ps((const float *)(a + t * as) + i);                  \
                for (int r = 0; r < MK_GR; r++) acc[r][t] = _mm512_fmadd_ps(wv[r], av, acc[r][t]);   \
            }                                                                                        \
        }                                                                                            \
        for (int r = 0; r < MK_GR; r++)                                                              \
            for (int t = 0; t < MK_GT; t++) {                                                        \
                float sum = hsum16(acc[r][t]);                                                       \
                for (int64_t k = i; k < n; k++)                                                      \
                    sum += SCALAR(w + r * ws + k * ESZ) * mk_f32(a + t * as + k * 4);                \
                s[t * ss + r] = sum;                                                                 \
            }                                                                                        \
    }

MK_GEMM_FLOAT(f16, 2, ld_f16x16, sc_f16)
MK_GEMM_FLOAT(bf16, 2, ld_bf16x16, sc_bf16)
MK_GEMM_FLOAT(f32, 4, ld_f32x16, sc_f32)

/* ---------------------------------------------------------------- packed Q4_0 / Q8_0 (layout: mk_internal.h, MK_PR) */

static void pprep(int64_t nb, const uint8_t *a, int64_t as, int32_t n_tok, float *dy, int32_t *sy) {
    const __m256i ones = _mm256_set1_epi8(1);
    for (int32_t t = 0; t < n_tok; t++) {
        const uint8_t *y = a + t * as;
        for (int64_t b = 0; b < nb; b++, y += MK_B_Q8_0) {
            dy[t * nb + b] = h2f(y);
            sy[t * nb + b] = hsum8i(_mm256_dpbusd_epi32(_mm256_setzero_si256(), ones, load32(y + 2)));
        }
    }
}

/*
 * MK_PR rows x nt tokens. Per block the 16 rows' codes are loaded once as unsigned bytes (Q4_0: split into low
 * and high nibbles, 8 registers; Q8_0: 8 registers of code + 128), then per token 8 vpdpbusd with 4 broadcast
 * activation bytes each, started from the offset correction -OFF * sum(y), give the 16 exact block sums;
 * acc += sum * (d_row * d_y) per row lane. The float sum runs over the blocks in order within each row's lane (the
 * plain kernels spread it over 8 lanes), so results differ from theirs by rounding only.
 */
#define MK_PTILE(NAME, CB, OFF)                                                                                    \
    MK_INLINE void ptileb_##NAME(int64_t nb, const uint8_t *g, const uint8_t *a, int64_t as, const float *dy,      \
                                 const int32_t *sy, int nt, float *dst, int64_t ds) {                             \
        const __m512i m4 = _mm512_set1_epi8(0x0f);                                                               \
        __m512 acc[MK_PNT];                                                                                       \
        for (int t = 0; t < MK_PNT; t++) acc[t] = _mm512_setzero_ps();                                            \
        for (int64_t b = 0; b < nb; b++) {                                                                        \
            const uint8_t *qb = g + b * ((CB) + 2) * MK_PR, *sc = qb + (CB) * MK_PR;                              \
            __m512i q[8];                                                                                         \
            if ((CB) == 16) {                                                                                     \
                for (int c = 0; c < 4; c++) {                                                                     \
                    const __m512i v = _mm512_loadu_si512((const void *)(qb + 64 * c));                            \
                    q[c] = _mm512_and_si512(v, m4);                                                               \
                    q[4 + c] = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);                                     \
                }                                                                                                 \
            } else {                                                                                              \
                for (int c = 0; c < 8; c++) q[c] = _mm512_loadu_si512((const void *)(qb + 64 * c));               \
            }                                                                                                     \
            const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)sc));                            \
            for (int t = 0; t < nt; t++) {                                                                        \
                const uint8_t *y = a + t * as + b * MK_B_Q8_0 + 2;                                                \
                __m512i s0 = _mm512_set1_epi32(-(OFF) * sy[t * nb + b]), s1 = _mm512_setzero_si512();             \
                for (int c = 0; c < 4; c++) {                                                                     \
                    s0 = _mm512_dpbusd_epi32(s0, q[c], _mm512_set1_epi32((int)mk_u32(y + 4 * c)));                \
                    s1 = _mm512_dpbusd_epi32(s1, q[4 + c], _mm512_set1_epi32((int)mk_u32(y + 16 + 4 * c)));       \
                }                                                                                                 \
                acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)),                            \
                                         _mm512_mul_ps(d, _mm512_set1_ps(dy[t * nb + b])), acc[t]);               \
            }                                                                                                     \
        }                                                                                                         \
        for (int t = 0; t < nt; t++) _mm512_storeu_ps(dst + t * ds, acc[t]);                                      \
    }                                                                                                             \
    static void ptile_##NAME(int64_t nb, const uint8_t *g, const uint8_t *a, int64_t as, const float *dy,          \
                             const int32_t *sy, int nt, float *dst, int64_t ds) {                                 \
        switch (nt) {                                                                                             \
        case 8: ptileb_##NAME(nb, g, a, as, dy, sy, 8, dst, ds); break;                                           \
        case 7: ptileb_##NAME(nb, g, a, as, dy, sy, 7, dst, ds); break;                                           \
        case 6: ptileb_##NAME(nb, g, a, as, dy, sy, 6, dst, ds); break;                                           \
        case 5: ptileb_##NAME(nb, g, a, as, dy, sy, 5, dst, ds); break;                                           \
        case 4: ptileb_##NAME(nb, g, a, as, dy, sy, 4, dst, ds); break;                                           \
        case 3: ptileb_##NAME(nb, g, a, as, dy, sy, 3, dst, ds); break;                                           \
        case 2: ptileb_##NAME(nb, g, a, as, dy, sy, 2, dst, ds); break;                                           \
        default: ptileb_##NAME(nb, g, a, as, dy, sy, 1, dst, ds); break;                                          \
        }                                                                                                         \
    }

/* Q8_K rows: the scale and the sub-block sums of the bsums, as int16 pairs (words (s0,s1), (s2,s3), ...). */
static void pprep_k(int64_t nb, const uint8_t *a, int64_t as, int32_t n_tok, float *dy, int32_t *sy) {
    for (int32_t t = 0; t < n_tok; t++) {
        const uint8_t *y = a + t * as;
        for (int64_t b = 0; b < nb; b++, y += MK_B_Q8_K) {
            dy[t * nb + b] = mk_f32(y);
            const __m256i bs = load32(y + 260);
            const __m128i s8 = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
            _mm_storeu_si128((__m128i *)(sy + 4 * (t * nb + b)), s8);
        }
    }
}

/*
 * Packed Q4_K, MK_PR rows x nt (<= MK_PKT) tokens. Per pair of sub-blocks the 16 rows' codes are split into low and
 * high nibbles once (16 registers) and reused for every token: 16 vpdpbusd give the two sub-block sums of all 16
 * rows, scaled by the rows' six-bit scales (exact int32, as the plain kernel's sum); the mins term is 4 vpdpwssd of
 * the min pairs (unpacked to int16 per block) with the activation's sub-block sums. acc += yd * (d * sum - dmin * mins) per row lane.
 */
MK_INLINE void ptileb_q4_K(int64_t nb, const uint8_t *g, const uint8_t *a, int64_t as, const float *dy,
                           const int32_t *sy, int nt, float *dst, int64_t ds) {
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    __m512 acc[MK_PKT];
    for (int t = 0; t < MK_PKT; t++) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *gb = g + b * MK_PK_BLOCK, *db = gb + 2240;
        /* the rows' 12-byte scale fields as three words per lane: six-bit scales and mins, unpacked to bytes */
        const __m512i w0 = _mm512_loadu_si512((const void *)(gb + 2048));
        const __m512i w1 = _mm512_loadu_si512((const void *)(gb + 2112));
        const __m512i w2 = _mm512_loadu_si512((const void *)(gb + 2176));
        const __m512i b6 = _mm512_set1_epi8(0x3f), b4 = _mm512_set1_epi8(0x0f), b30 = _mm512_set1_epi8(0x30);
        const __m512i sc_lo = _mm512_and_si512(w0, b6), mn_lo = _mm512_and_si512(w1, b6);
        const __m512i sc_hi = _mm512_or_si512(_mm512_and_si512(w2, b4), _mm512_and_si512(_mm512_srli_epi32(w0, 2), b30));
        const __m512i mn_hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(w2, 4), b4),
                                              _mm512_and_si512(_mm512_srli_epi32(w1, 2), b30));
        __m512i isum[MK_PKT];
        for (int t = 0; t < MK_PKT; t++) isum[t] = _mm512_setzero_si512();
        for (int j = 0; j < 4; j++) {
            __m512i lo[8], hi[8];
            for (int c = 0; c < 8; c++) {
                const __m512i v = _mm512_loadu_si512((const void *)(gb + 512 * j + 64 * c));
                lo[c] = _mm512_and_si512(v, m4);
                hi[c] = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
            }
            /* sub-blocks 2j and 2j+1: byte (2j)%4 and (2j+1)%4 of each lane, of the low or high four scales */
            const __m512i src = j < 2 ? sc_lo : sc_hi;
            const __m512i sl = _mm512_and_si512(_mm512_srli_epi32(src, 16 * (j & 1)), _mm512_set1_epi32(0xff));
            const __m512i sh = _mm512_and_si512(_mm512_srli_epi32(src, 16 * (j & 1) + 8), _mm512_set1_epi32(0xff));
            for (int t = 0; t < nt; t++) {
                const uint8_t *y = a + t * as + b * MK_B_Q8_K + 4 + 64 * j;
                __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
                for (int c = 0; c < 8; c++) {
                    s0 = _mm512_dpbusd_epi32(s0, lo[c], _mm512_set1_epi32((int)mk_u32(y + 4 * c)));
                    s1 = _mm512_dpbusd_epi32(s1, hi[c], _mm512_set1_epi32((int)mk_u32(y + 32 + 4 * c)));
                }
                isum[t] = _mm512_add_epi32(isum[t], _mm512_add_epi32(_mm512_mullo_epi32(s0, sl), _mm512_mullo_epi32(s1, sh)));
            }
        }
        /* min pairs (m[2i], m[2i+1]) as int16 pairs per lane: bytes 2i%4 and 2i%4+1 of the low or high mins */
        const __m512i lo8 = _mm512_set1_epi32(0x000000ff), hi8 = _mm512_set1_epi32(0x00ff0000);
        const __m512i mpair[4] = {
            _mm512_or_si512(_mm512_and_si512(mn_lo, lo8), _mm512_and_si512(_mm512_slli_epi32(mn_lo, 8), hi8)),
            _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(mn_lo, 16), lo8), _mm512_and_si512(_mm512_srli_epi32(mn_lo, 8), hi8)),
            _mm512_or_si512(_mm512_and_si512(mn_hi, lo8), _mm512_and_si512(_mm512_slli_epi32(mn_hi, 8), hi8)),
            _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(mn_hi, 16), lo8), _mm512_and_si512(_mm512_srli_epi32(mn_hi, 8), hi8)),
        };
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)db));
        const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(db + 32)));
        for (int t = 0; t < nt; t++) {
            const int32_t *w = sy + 4 * (t * nb + b);
            __m512i ms = _mm512_setzero_si512();
            for (int i = 0; i < 4; i++)
                ms = _mm512_dpwssd_epi32(ms, mpair[i], _mm512_set1_epi32(w[i]));
            const __m512 yd = _mm512_set1_ps(dy[t * nb + b]);
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[t]), _mm512_mul_ps(d, yd), acc[t]);
            acc[t] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(ms), _mm512_mul_ps(dmin, yd), acc[t]);
        }
    }
    for (int t = 0; t < nt; t++) _mm512_storeu_ps(dst + t * ds, acc[t]);
}

static void ptile_q4_K(int64_t nb, const uint8_t *g, const uint8_t *a, int64_t as, const float *dy, const int32_t *sy,
                       int nt, float *dst, int64_t ds) {
    switch (nt) {
    case 4: ptileb_q4_K(nb, g, a, as, dy, sy, 4, dst, ds); break;
    case 3: ptileb_q4_K(nb, g, a, as, dy, sy, 3, dst, ds); break;
    case 2: ptileb_q4_K(nb, g, a, as, dy, sy, 2, dst, ds); break;
    default: ptileb_q4_K(nb, g, a, as, dy, sy, 1, dst, ds); break;
    }
}

/* Q8_0 chunk c (c < 8) pairs with activation bytes 4c..4c+3: q[4 + c] with y + 16 + 4c, as the Q4_0 high nibbles. */
MK_PTILE(q4_0, 16, 8)
MK_PTILE(q8_0, 32, 128)

static void mk_gemm_table(mk_table *t) {
    t->pprep[MK_Q4_0] = t->pprep[MK_Q8_0] = pprep;
    t->pprep[MK_Q4_K] = pprep_k;
    t->ptile[MK_Q4_0] = ptile_q4_0;
    t->ptile[MK_Q8_0] = ptile_q8_0;
    t->ptile[MK_Q4_K] = ptile_q4_K;
    t->gemm[MK_Q4_0] = gemm_q4_0;
    t->gemm[MK_Q5_0] = gemm_q5_0;
    t->gemm[MK_Q8_0] = gemm_q8_0;
    t->gemm[MK_IQ4_NL] = gemm_iq4_nl;
    t->gemm[MK_F16] = gemm_f16;
    t->gemm[MK_BF16] = gemm_bf16;
    t->gemm[MK_F32] = gemm_f32;
}
#else
static void mk_gemm_table(mk_table *t) { (void)t; }
#endif

void MK_TABLE_FN(mk_table *t) {
    memset(t, 0, sizeof *t);
    t->dot[MK_F32] = dot_f32;
    t->dot[MK_F16] = dot_f16;
    t->dot[MK_BF16] = dot_bf16;
    t->dot[MK_Q8_0] = dot_q8_0;
    t->dot[MK_Q4_0] = dot_q4_0;
    t->dot[MK_Q5_0] = dot_q5_0;
    t->dot[MK_IQ4_NL] = dot_iq4_nl;
    t->dot[MK_Q4_1] = dot_q4_1;
    t->dot[MK_Q5_1] = dot_q5_1;
    t->dot[MK_Q2_K] = dot_q2_K;
    t->dot[MK_Q3_K] = dot_q3_K;
    t->dot[MK_Q4_K] = dot_q4_K;
    t->dot[MK_Q5_K] = dot_q5_K;
    t->dot[MK_Q6_K] = dot_q6_K;
    t->dotn[MK_Q8_0] = dotn_q8_0;
    t->dotn[MK_Q4_0] = dotn_q4_0;
    t->dotn[MK_Q5_0] = dotn_q5_0;
    t->dotn[MK_IQ4_NL] = dotn_iq4_nl;
    t->dotn[MK_Q4_K] = dotn_q4_K;
    t->dotn[MK_Q6_K] = dotn_q6_K;
    t->dotn[MK_F16] = dotn_f16;
    t->dotn[MK_BF16] = dotn_bf16;
    t->dotn[MK_F32] = dotn_f32;
    t->rows[MK_F16] = rows_f16;
    t->rows[MK_BF16] = rows_bf16;
    t->rows[MK_F32] = rows_f32;
    mk_gemm_table(t);
}
