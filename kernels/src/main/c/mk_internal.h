/* Internal declarations shared by the per-ISA translation units. */
#ifndef MK_INTERNAL_H
#define MK_INTERNAL_H

#include <stdint.h>
#include <string.h>

/* ggml type ids. */
enum {
    MK_F32 = 0, MK_F16 = 1, MK_Q4_0 = 2, MK_Q4_1 = 3, MK_Q5_0 = 6, MK_Q5_1 = 7, MK_Q8_0 = 8,
    MK_Q8_1 = 9, MK_Q2_K = 10, MK_Q3_K = 11, MK_Q4_K = 12, MK_Q5_K = 13, MK_Q6_K = 14,
    MK_Q8_K = 15, MK_IQ4_NL = 20, MK_BF16 = 30, MK_NTYPES = 64
};

/* Block sizes (bytes) of the formats (shared/docs/quantization.md §2). */
#define MK_QK 32
#define MK_QK_K 256
#define MK_B_Q8_0 34
#define MK_B_Q8_1 36
#define MK_B_Q4_0 18
#define MK_B_Q4_1 20
#define MK_B_Q5_0 22
#define MK_B_Q5_1 24
#define MK_B_IQ4_NL 18
#define MK_B_Q2_K 84
#define MK_B_Q3_K 110
#define MK_B_Q4_K 144
#define MK_B_Q5_K 176
#define MK_B_Q6_K 210
#define MK_B_Q8_K 292

/* One weight row (n elements) dotted with one activation row. */
typedef float (*mk_dot_fn)(int64_t n, const uint8_t *w, const uint8_t *a);

/*
 * One weight row dotted with nt (1..MK_MAX_NT) activation rows a + t*a_stride, results to
 * s[t*s_stride]. Optional: types without one fall back to mk_dot_fn per token.
 */
#define MK_MAX_NT 4
typedef void (*mk_dotn_fn)(int64_t n, const uint8_t *w, const uint8_t *a, int64_t a_stride,
                           int nt, float *s, int64_t s_stride);

/*
 * A tile of MK_GR weight rows (w + r*w_stride) times MK_GT activation rows (a + t*a_stride): results to
 * s[t*s_stride + r]. Optional (prompt batches): each weight block is decoded once for MK_GT tokens and each
 * activation block loaded once for MK_GR rows. Results equal the per-row kernels' up to the float summation order.
 */
#define MK_GR 4
#define MK_GT 4
typedef void (*mk_gemm_fn)(int64_t n, const uint8_t *w, int64_t w_stride, const uint8_t *a, int64_t a_stride,
                           float *s, int64_t s_stride);

/*
 * Packed layouts (built by mbllm_pack) of the legacy types Q4_0 and Q8_0: rows in groups of MK_PR. Group g takes
 * the bytes of its MK_PR rows, at the same offset: for each block b, the code bytes of the 16 rows interleaved by
 * 4 (Q4_0: 256 bytes, four 64-byte chunks; Q8_0: 512 bytes, eight chunks; chunk c holds, as int32 lane k, the code
 * bytes 4c..4c+3 of row k's block b; Q4_0 low nibbles are elements 4c..4c+3 and high nibbles elements
 * 16+4c..16+4c+3; Q8_0 codes are stored plus 128, as unsigned bytes), then the block's MK_PR fp16 scales (32
 * bytes): one sequential stream per group. Rows past the last full group follow in the plain layout. One vpdpbusd then
 * adds 4 products of 16 rows at once, and each int32 lane ends the block holding one row's exact block sum.
 */
#define MK_PR 16
/* Tokens of one packed tile (one float accumulator of MK_PR rows per token): legacy types, Q4_K. */
#define MK_PNT 8
#define MK_PKT 4

/*
 * Packed Q4_K: the same groups of MK_PR rows; per block b (256 elements) MK_PK_BLOCK bytes, exactly the plain rows'
 * bytes rearranged (the weight stream of a token is memory-bound: every byte counts): the codes (2048 bytes: for
 * each 64-element pair j of sub-blocks, eight 64-byte chunks; chunk c holds, as int32 lane k, the code bytes
 * 32j+4c..32j+4c+3 of row k, whose low nibbles are sub-block 2j and high nibbles sub-block 2j+1), the rows' 12-byte
 * six-bit scale fields as three 64-byte words (word w holds, as int32 lane k, bytes 4w..4w+3 of row k's field;
 * the kernel unpacks scales and mins per block), then the 16 fp16 d and the 16 fp16 dmin (64).
 */
#define MK_PK_BLOCK 2304

/*
 * Per activation row and block: the scale as float (dy) and integer words (sy): Q8_0, one word, the sum of the
 * 32 codes; Q8_K, four words, the eight 32-element sub-block sums as int16 pairs. n_tok rows of nb blocks.
 */
typedef void (*mk_pprep_fn)(int64_t nb, const uint8_t *a, int64_t a_stride, int32_t n_tok, float *dy, int32_t *sy);

/*
 * One packed group (MK_PR rows) times nt (1..MK_PNT) tokens: dst[t*ds + k] = row k . token t. a, dy and sy point
 * at the tile's first token (dy, sy with a row stride of nb).
 */
typedef void (*mk_ptile_fn)(int64_t nb, const uint8_t *grp, const uint8_t *a, int64_t a_stride, const float *dy,
                            const int32_t *sy, int nt, float *dst, int64_t ds);

/*
 * MK_FROWS weight rows (w + r*w_stride) against one activation row: results to s[r]. Optional (single-token passes
 * of the float types over long rows): per row the float order of mk_dotn_fn with one token, the rows' accumulator
 * chains interleaved and each activation vector loaded once for all rows.
 */
#define MK_FROWS 8
typedef void (*mk_rows_fn)(int64_t n, const uint8_t *w, int64_t w_stride, const uint8_t *a, float *s);

typedef struct {
    mk_dot_fn dot[MK_NTYPES];
    mk_dotn_fn dotn[MK_NTYPES];
    mk_rows_fn rows[MK_NTYPES];
    mk_gemm_fn gemm[MK_NTYPES];
    mk_pprep_fn pprep[MK_NTYPES]; /* packed layouts: only where the variant has them */
    mk_ptile_fn ptile[MK_NTYPES];
} mk_table;

/* Flash attention of one query row over an F16 K/V cache (mk_attn.h; the same bits from both builds). */
#define MK_ATTN_MAX_HD 512
int mk_attn_f16_avx512(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v, int64_t v_stride,
                       int32_t len, int32_t hd_k, int32_t hd_v, float scale, float *out);
int mk_attn_f16_avx2(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v, int64_t v_stride,
                     int32_t len, int32_t hd_k, int32_t hd_v, float scale, float *out);

void mk_table_scalar(mk_table *t);
void mk_table_avx2(mk_table *t);
void mk_table_avx512(mk_table *t);

/* IQ4_NL code book (shared/docs/quantization.md §2). */
static const int8_t MK_IQ4NL_VALUES[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                           1, 13, 25, 38, 53, 69, 89, 113};

static inline uint16_t mk_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t mk_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline int16_t mk_i16(const uint8_t *p) { int16_t v; memcpy(&v, p, 2); return v; }
static inline float mk_f32(const uint8_t *p) { float v; memcpy(&v, p, 4); return v; }

/* IEEE binary16 bits to float (exact). */
static inline float mk_h2f(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ffu, bits;
    if (exp == 0) {
        float f = (float)man * 0x1p-24f;
        return sign ? -f : f;
    }
    if (exp == 31) bits = sign | 0x7f800000u | (man << 13);
    else bits = sign | ((exp + 112) << 23) | (man << 13);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* float to binary16, round to nearest even; NaN becomes sign|0x7E00 (io.mbllm.gguf.quant.Half). */
static inline uint16_t mk_f2h(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return sign | 0x7e00;
    if (ax >= 0x477ff000u) return sign | 0x7c00; /* rounds to infinity */
    if (ax < 0x38800000u) {                       /* half subnormal or zero */
        float a;
        memcpy(&a, &ax, 4);
        a += 0.5f; /* the ulp of 0.5 is 2^-24, the half subnormal step: hardware RNE does the rounding */
        uint32_t r;
        memcpy(&r, &a, 4);
        return sign | (uint16_t)(r - 0x3f000000u);
    }
    ax += 0xc8000fffu + ((ax >> 13) & 1u); /* rebias exponent by -112, round to nearest even */
    return sign | (uint16_t)(ax >> 13);
}

static inline float mk_bf2f(uint16_t b) {
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* Exact mode (mbllm_set_exact): follow ggml's x86 accumulation order (Q4_K mins in 4 float lanes). */
extern int mk_exact;

#endif
