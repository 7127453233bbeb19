/*
 * Entry points: CPU feature detection, the per-variant kernel tables, activation conversion
 * (bit-exact with the reference quantizers) and the tiled row-range matmul driver.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "mbllm_kernels.h"
#include "mk_internal.h"

static mk_table TABLES[3];
static int VARIANTS = 1; /* bit 0: scalar */
/*
 * Exact mode (mbllm_set_exact): Q8_0/Q8_1 activations quantized as llama.cpp's x86 SIMD build does
 * (ggml-cpu/arch/x86/quants.c quantize_row_q8_0: codes = nearest-even(x * (127/amax)) instead of the
 * reference round-half-away(x * (1/d))); Q8_K has no x86 variant there (it calls the reference).
 * Single-token products go through the multi-token kernel, whose one accumulator per token matches
 * ggml_vec_dot_q8_0_q8_0's block order (the single-token kernel alternates two accumulators).
 */
static int ACT_X86 = 0;
int mk_exact = 0; /* read by the kernels: ggml's x86 accumulation order where it differs */

int mbllm_set_exact(int on) {
    int was = ACT_X86;
    ACT_X86 = on != 0;
    mk_exact = ACT_X86;
    return was;
}

__attribute__((constructor)) static void mk_init(void) {
    mk_table_scalar(&TABLES[MBLLM_VARIANT_SCALAR]);
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
        mk_table_avx2(&TABLES[MBLLM_VARIANT_AVX2]);
        VARIANTS |= 1 << MBLLM_VARIANT_AVX2;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni")) {
            mk_table_avx512(&TABLES[MBLLM_VARIANT_AVX512]);
            VARIANTS |= 1 << MBLLM_VARIANT_AVX512;
        }
    }
#endif
}

int mbllm_kernels_abi(void) { return MBLLM_KERNELS_ABI; }

int mbllm_kernels_variants(void) { return VARIANTS; }

int mbllm_kernels_supports(int wtype) {
    return wtype >= 0 && wtype < MK_NTYPES && TABLES[MBLLM_VARIANT_SCALAR].dot[wtype] != 0;
}

/* C roundf with Java's (int) conversion of the result (NaN -> 0, saturating): LegacyRounding.roundAway. */
static inline int round_away(float v) {
    if (v != v) return 0;
    double r = floor(fabs((double)v) + 0.5);
    if (v < 0) return r >= 2147483648.0 ? INT32_MIN : -(int)r;
    return r >= 2147483647.0 ? INT32_MAX : (int)r;
}

/* ggml nearest_int: round half to even through the 1.5*2^23 trick (valid for |v| < 2^22). */
static inline int nearest_int(float v) {
    float val = v + 12582912.f;
    int32_t i;
    memcpy(&i, &val, 4);
    return (i & 0x007fffff) - 0x00400000;
}

/* _mm256_round_ps(v, nearest) then _mm256_cvtps_epi32: NaN and values outside int32 give INT32_MIN. */
static inline int32_t cvtps_epi32(float v) {
    float r = nearbyintf(v);
    if (!(r >= -2147483648.0f && r < 2147483648.0f)) return INT32_MIN;
    return (int32_t)r;
}

static inline void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

/* quantize_row_q8_0_ref / q8_1_ref (§4.1): d = amax/127, codes rounded half away from zero. */
static void quant_q8_0(const float *x, int64_t n, uint8_t *y, int with_sum) {
    int bytes = with_sum ? MK_B_Q8_1 : MK_B_Q8_0, qs = with_sum ? 4 : 2;
    for (int64_t b = 0; b < n / MK_QK; b++, x += MK_QK, y += bytes) {
        float amax = 0;
        for (int j = 0; j < MK_QK; j++) {
            float ax = fabsf(x[j]);
            amax = amax > ax ? amax : ax;
        }
        float d = amax / 127.0f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        if (ACT_X86) id = amax != 0 ? 127.f / amax : 0.0f;
        put16(y, mk_f2h(d));
        int sum = 0;
        if (ACT_X86) {
            uint32_t wsum = 0; /* ggml sums the int32 conversions (wrapping) before saturating them to bytes */
            for (int j = 0; j < MK_QK; j++) {
                int32_t c = cvtps_epi32(x[j] * id);
                y[qs + j] = (uint8_t)(int8_t)(c > 127 ? 127 : c < -128 ? -128 : c);
                wsum += (uint32_t)c;
            }
            sum = (int32_t)wsum;
        } else {
            for (int j = 0; j < MK_QK; j++) {
                int8_t q = (int8_t)round_away(x[j] * id);
                y[qs + j] = (uint8_t)q;
                sum += q;
            }
        }
        if (with_sum) put16(y + 2, mk_f2h((float)sum * d));
    }
}

/* quantize_row_q8_K_ref (§4.11): float d, codes min(127, nearest_int(-127/max * x)), 16 bsums. */
static void quant_q8_K(const float *x, int64_t n, uint8_t *y) {
    for (int64_t b = 0; b < n / MK_QK_K; b++, x += MK_QK_K, y += MK_B_Q8_K) {
        float max = 0, amax = 0;
        for (int j = 0; j < MK_QK_K; j++) {
            float ax = fabsf(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        memset(y, 0, MK_B_Q8_K);
        if (amax == 0) continue;
        float iscale = -127.f / max;
        for (int j = 0; j < MK_QK_K; j++) {
            int v = nearest_int(iscale * x[j]);
            y[4 + j] = (uint8_t)(int8_t)(v < 127 ? v : 127);
        }
        for (int g = 0; g < 16; g++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) sum += (int8_t)y[4 + 16 * g + i];
            put16(y + 260 + 2 * g, (uint16_t)sum);
        }
        float d = 1 / iscale;
        memcpy(y, &d, 4);
    }
}

static uint16_t f2bf(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
    return (uint16_t)((u + (0x7fffu + ((u >> 16) & 1u))) >> 16);
}

/* Activation format of a weight type (QuantTypes.vecDotType) and its block size in elements. */
static int act_type(int wtype) {
    switch (wtype) {
    case MK_Q8_0: case MK_Q4_0: case MK_Q5_0: case MK_IQ4_NL: return MK_Q8_0;
    case MK_Q4_1: case MK_Q5_1: return MK_Q8_1;
    case MK_Q2_K: case MK_Q3_K: case MK_Q4_K: case MK_Q5_K: case MK_Q6_K: return MK_Q8_K;
    case MK_F16: case MK_BF16: case MK_F32: return wtype;
    default: return -1;
    }
}

static int64_t act_row_bytes(int atype, int64_t cols) {
    switch (atype) {
    case MK_Q8_0: return cols % MK_QK ? -1 : cols / MK_QK * MK_B_Q8_0;
    case MK_Q8_1: return cols % MK_QK ? -1 : cols / MK_QK * MK_B_Q8_1;
    case MK_Q8_K: return cols % MK_QK_K ? -1 : cols / MK_QK_K * MK_B_Q8_K;
    case MK_F16: case MK_BF16: case MK_F32: return 4 * cols; /* widened to float32 */
    default: return -1;
    }
}

static int64_t act_row_bytes_of(int wtype, int64_t cols) { return act_row_bytes(act_type(wtype), cols); }

int64_t mbllm_act_row_bytes(int wtype, int64_t cols) {
    int at = (wtype >= 0 && wtype < MK_NTYPES && TABLES[0].dot[wtype]) ? act_type(wtype) : -1;
    if (at < 0) return MBLLM_E_TYPE;
    int64_t rb = act_row_bytes(at, cols);
    return rb > 0 ? rb : MBLLM_E_ARGS;
}

int mbllm_quantize_act(int wtype, const float *x, int64_t cols, int32_t n_tok, void *act) {
    return mbllm_quantize_act_rows(wtype, x, cols, 0, n_tok, act);
}

int mbllm_quantize_act_rows(int wtype, const float *x, int64_t cols, int32_t t0, int32_t t1, void *act) {
    int at = (wtype >= 0 && wtype < MK_NTYPES && TABLES[0].dot[wtype]) ? act_type(wtype) : -1;
    if (at < 0) return MBLLM_E_TYPE;
    int64_t rb = act_row_bytes(at, cols);
    if (rb <= 0 || t0 < 0 || t1 < t0) return MBLLM_E_ARGS;
    for (int32_t t = t0; t < t1; t++) {
        const float *xr = x + t * cols;
        uint8_t *y = (uint8_t *)act + t * rb;
        switch (at) {
        case MK_Q8_0: quant_q8_0(xr, cols, y, 0); break;
        case MK_Q8_1: quant_q8_0(xr, cols, y, 1); break;
        case MK_Q8_K: quant_q8_K(xr, cols, y); break;
        case MK_F16:
            for (int64_t i = 0; i < cols; i++) ((float *)y)[i] = mk_h2f(mk_f2h(xr[i]));
            break;
        case MK_BF16:
            for (int64_t i = 0; i < cols; i++) ((float *)y)[i] = mk_bf2f(f2bf(xr[i]));
            break;
        default: memcpy(y, xr, (size_t)rb); break;
        }
    }
    return MBLLM_OK;
}

/* Weight bytes kept hot while a tile of activation rows passes over them. */
#define MK_TILE_W_BYTES 24576
#define MK_TILE_TOKENS 16

/* Rows [ra, rb) times tokens [ta, tb) with the per-row kernels (multi-token where the type has one). */
static void rows_tokens(mk_dot_fn dot, mk_dotn_fn dotn, int64_t cols, const uint8_t *W, int64_t w_row_bytes,
                        const uint8_t *A, int64_t act_row_bytes, float *out, int64_t out_stride,
                        int64_t ra, int64_t rb, int32_t ta, int32_t tb) {
    for (int64_t r = ra; r < rb; r++) {
        const uint8_t *wr = W + r * w_row_bytes;
        if (dotn) {
            for (int32_t t = ta; t < tb; t += MK_MAX_NT) {
                int nt = tb - t < MK_MAX_NT ? tb - t : MK_MAX_NT;
                dotn(cols, wr, A + t * act_row_bytes, act_row_bytes, nt, out + t * out_stride + r, out_stride);
            }
        } else {
            for (int32_t t = ta; t < tb; t++) out[t * out_stride + r] = dot(cols, wr, A + t * act_row_bytes);
        }
    }
}

/* Activation row bytes above which single-token float passes take MK_FROWS rows at a time (half of a 32 KiB L1). */
#define MK_ROWS_ACT_BYTES 16384

int mbllm_matmul(int variant, int wtype, const void *w, int64_t w_row_bytes, int64_t cols,
                 const void *act, int64_t act_row_bytes, int32_t n_tok,
                 float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    if (variant < 0 || variant > 2 || !(VARIANTS & (1 << variant))) return MBLLM_E_VARIANT;
    if (wtype < 0 || wtype >= MK_NTYPES || !TABLES[variant].dot[wtype]) return MBLLM_E_TYPE;
    if (cols <= 0 || n_tok < 0 || r0 < 0 || r1 < r0 || w_row_bytes <= 0 || act_row_bytes <= 0)
        return MBLLM_E_ARGS;
    mk_dot_fn dot = TABLES[variant].dot[wtype];
    mk_dotn_fn dotn = TABLES[variant].dotn[wtype];
    const uint8_t *W = (const uint8_t *)w, *A = (const uint8_t *)act;
    if (n_tok == 1) {
        /* exact mode: the multi-token kernel (one accumulator per token), the order of ggml's vec_dot for the
           quantized types and, for float weights, the order of the prompt tiles, so that a token gives the same
           result alone as in a batch */
        const mk_dotn_fn one = ACT_X86 ? dotn : 0;
        /* float weights whose activation row does not fit beside the weight stream in L1 (F16 ffn_down of an
           8192-wide FFN): MK_FROWS rows at a time, each in dotn's single-token order (the same bits). Rows that fit
           go one at a time, which the hardware prefetcher streams best (measured per core, F16: 2048 columns
           31 GB/s one by one vs 24 GB/s eight at a time; 8192 columns 13 vs 25 GB/s). */
        const mk_rows_fn rows = act_row_bytes > MK_ROWS_ACT_BYTES ? TABLES[variant].rows[wtype] : 0;
        int64_t r = r0;
        if (rows)
            for (; r + MK_FROWS <= r1; r += MK_FROWS) rows(cols, W + r * w_row_bytes, w_row_bytes, A, out + r);
        for (; r < r1; r++) {
            if (one) one(cols, W + r * w_row_bytes, A, act_row_bytes, 1, out + r, 1);
            else out[r] = dot(cols, W + r * w_row_bytes, A);
        }
        return MBLLM_OK;
    }
    mk_gemm_fn gemm = TABLES[variant].gemm[wtype];
    int64_t rt = MK_TILE_W_BYTES / w_row_bytes;
    if (rt < MK_GR) rt = MK_GR;
    if (rt > 64) rt = 64;
    rt -= rt % MK_GR;
    for (int64_t rb = r0; rb < r1; rb += rt) {
        int64_t re = rb + rt < r1 ? rb + rt : r1;
        for (int32_t tb = 0; tb < n_tok; tb += MK_TILE_TOKENS) {
            int32_t te = tb + MK_TILE_TOKENS < n_tok ? tb + MK_TILE_TOKENS : n_tok;
            int64_t r = rb;
            /* full tiles of MK_GR rows x MK_GT tokens; the ragged token tail of those rows goes per row below */
            int32_t tg = gemm && re - rb >= MK_GR ? tb + (te - tb) / MK_GT * MK_GT : tb;
            if (tg > tb) {
                for (; r + MK_GR <= re; r += MK_GR) {
                    const uint8_t *wr = W + r * w_row_bytes;
                    for (int32_t t = tb; t < tg; t += MK_GT)
                        gemm(cols, wr, w_row_bytes, A + t * act_row_bytes, act_row_bytes, out + t * out_stride + r, out_stride);
                }
                if (tg < te) rows_tokens(dot, dotn, cols, W, w_row_bytes, A, act_row_bytes, out, out_stride, rb, r, tg, te);
            }
            rows_tokens(dot, dotn, cols, W, w_row_bytes, A, act_row_bytes, out, out_stride, r, re, tb, te);
        }
    }
    return MBLLM_OK;
}

/* ---------------------------------------------------------------- packed weights */

/* The packable types: elements and plain bytes per block, packed bytes per group and block, prep words per block,
   tokens per tile. */
typedef struct {
    int qk, bytes, group_block, words, tile_tokens;
} mk_pack_info;

static const mk_pack_info *pack_info(int wtype) {
    static const mk_pack_info Q4_0 = {MK_QK, MK_B_Q4_0, MK_PR * MK_B_Q4_0, 1, MK_PNT};
    static const mk_pack_info Q8_0 = {MK_QK, MK_B_Q8_0, MK_PR * MK_B_Q8_0, 1, MK_PNT};
    static const mk_pack_info Q4_K = {MK_QK_K, MK_B_Q4_K, MK_PK_BLOCK, 4, MK_PKT};
    switch (wtype) {
    case MK_Q4_0: return &Q4_0;
    case MK_Q8_0: return &Q8_0;
    case MK_Q4_K: return &Q4_K;
    default: return 0;
    }
}

static int has_packed(int variant, int wtype) {
    if (variant < 0 || variant > 2 || !(VARIANTS & (1 << variant)) || wtype < 0 || wtype >= MK_NTYPES
        || !TABLES[variant].ptile[wtype] || !pack_info(wtype))
        return 0;
    /* Exact mode (mbllm_set_exact) follows llama.cpp's defaults: ggml repacks Q4_0 and Q4_K on AVX2/AVX-512 (its
     * results then differ from --no-repack in the last bits, as ours do), but not Q8_0, whose plain ggml x86 order
     * exact mode reproduces bit for bit. -Dmbllm.repack=false keeps every type plain (= llama.cpp --no-repack). */
    return !mk_exact || wtype != MK_Q8_0;
}

int64_t mbllm_pack_bytes(int variant, int wtype, int64_t rows, int64_t cols) {
    if (rows < 0 || cols <= 0) return MBLLM_E_ARGS;
    if (!has_packed(variant, wtype)) return 0;
    const mk_pack_info *pi = pack_info(wtype);
    if (cols % pi->qk) return MBLLM_E_ARGS;
    const int64_t nb = cols / pi->qk, ng = rows / MK_PR;
    return ng * nb * pi->group_block + (rows - ng * MK_PR) * nb * pi->bytes;
}

int mbllm_pack_rows(int variant, int wtype) { return has_packed(variant, wtype) ? MK_PR : 1; }

/* Q4_0 / Q8_0 block b of row k of a group (layout: mk_internal.h). */
static void pack_legacy(int wtype, const uint8_t *x, int64_t nb, int64_t b, int k, uint8_t *grp) {
    const int cb = wtype == MK_Q8_0 ? 32 : 16;
    const uint8_t flip = wtype == MK_Q8_0 ? 0x80 : 0;
    (void)nb;
    uint8_t *codes = grp + b * (cb + 2) * MK_PR, *scales = codes + cb * MK_PR;
    memcpy(scales + 2 * k, x, 2);
    for (int c = 0; c < cb / 4; c++)
        for (int j = 0; j < 4; j++) codes[64 * c + 4 * k + j] = x[2 + 4 * c + j] ^ flip;
}

/* Q4_K block b of row k of a group (layout: mk_internal.h, MK_PK_BLOCK). */
static void pack_q4_K(const uint8_t *x, int64_t b, int k, uint8_t *grp) {
    uint8_t *gb = grp + b * MK_PK_BLOCK;
    for (int j = 0; j < 4; j++)
        for (int c = 0; c < 8; c++) memcpy(gb + 512 * j + 64 * c + 4 * k, x + 16 + 32 * j + 4 * c, 4);
    for (int w = 0; w < 3; w++) memcpy(gb + 2048 + 64 * w + 4 * k, x + 4 + 4 * w, 4);
    memcpy(gb + 2240 + 2 * k, x, 2);
    memcpy(gb + 2272 + 2 * k, x + 2, 2);
}

int mbllm_pack(int variant, int wtype, const void *w, int64_t rows, int64_t cols, void *dst) {
    if (mbllm_pack_bytes(variant, wtype, rows, cols) <= 0) return has_packed(variant, wtype) ? MBLLM_E_ARGS : MBLLM_E_TYPE;
    const mk_pack_info *pi = pack_info(wtype);
    const int64_t nb = cols / pi->qk, row_bytes = nb * pi->bytes, ng = rows / MK_PR, gbytes = nb * pi->group_block;
    const uint8_t *W = (const uint8_t *)w;
    uint8_t *D = (uint8_t *)dst;
    for (int64_t g = 0; g < ng; g++) {
        for (int k = 0; k < MK_PR; k++) {
            const uint8_t *row = W + (g * MK_PR + k) * row_bytes;
            for (int64_t b = 0; b < nb; b++) {
                if (wtype == MK_Q4_K) pack_q4_K(row + b * pi->bytes, b, k, D + g * gbytes);
                else pack_legacy(wtype, row + b * pi->bytes, nb, b, k, D + g * gbytes);
            }
        }
    }
    memcpy(D + ng * gbytes, W + ng * MK_PR * row_bytes, (size_t)((rows - ng * MK_PR) * row_bytes));
    return MBLLM_OK;
}

/* Activation preparation entries (floats plus words) kept on the stack up to this many bytes (beyond: the heap). */
#define MK_PREP_STACK 16384

int mbllm_matmul_packed(int variant, int wtype, const void *packed, int64_t rows, int64_t cols,
                        const void *act, int64_t act_row_bytes, int32_t n_tok,
                        float *out, int64_t out_stride, int64_t r0, int64_t r1) {
    if (!has_packed(variant, wtype)) return variant >= 0 && variant <= 2 && (VARIANTS & (1 << variant)) ? MBLLM_E_TYPE : MBLLM_E_VARIANT;
    const mk_pack_info *pi = pack_info(wtype);
    if (cols <= 0 || cols % pi->qk || rows < 0 || n_tok < 0 || r0 < 0 || r1 < r0 || r1 > rows
        || act_row_bytes < act_row_bytes_of(wtype, cols))
        return MBLLM_E_ARGS;
    if (n_tok == 0 || r0 == r1) return MBLLM_OK;
    const mk_table *tb = &TABLES[variant];
    const mk_ptile_fn tile = tb->ptile[wtype];
    const int64_t nb = cols / pi->qk, row_bytes = nb * pi->bytes, ng = rows / MK_PR, gbytes = nb * pi->group_block;
    const uint8_t *P = (const uint8_t *)packed, *A = (const uint8_t *)act;
    const int64_t gend = r1 < ng * MK_PR ? r1 : ng * MK_PR; /* packed rows end */
    if (r0 < gend) {
        const int64_t entries = nb * n_tok, words = entries * pi->words;
        _Alignas(64) uint8_t stack[MK_PREP_STACK];
        void *heap = 0;
        uint8_t *buf = stack;
        if ((entries + words) * 4 > MK_PREP_STACK) {
            heap = malloc((size_t)(entries + words) * 4);
            if (!heap) return MBLLM_E_ARGS;
            buf = (uint8_t *)heap;
        }
        float *dy = (float *)buf;
        int32_t *sy = (int32_t *)(buf + entries * 4);
        tb->pprep[wtype](nb, A, act_row_bytes, n_tok, dy, sy);
        float tmp[MK_PNT * MK_PR];
        const int pnt = pi->tile_tokens;
        for (int64_t g = r0 / MK_PR; g * MK_PR < gend; g++) {
            const int64_t ra = g * MK_PR, lo = r0 > ra ? r0 : ra, hi = gend < ra + MK_PR ? gend : ra + MK_PR;
            const uint8_t *grp = P + g * gbytes;
            for (int32_t t = 0; t < n_tok; t += pnt) {
                const int nt = n_tok - t < pnt ? n_tok - t : pnt;
                const uint8_t *at = A + t * act_row_bytes;
                const float *dyt = dy + t * nb;
                const int32_t *syt = sy + t * nb * pi->words;
                if (lo == ra && hi == ra + MK_PR) {
                    tile(nb, grp, at, act_row_bytes, dyt, syt, nt, out + t * out_stride + ra, out_stride);
                } else { /* a range end inside the group: the whole group into tmp, then the rows asked for */
                    tile(nb, grp, at, act_row_bytes, dyt, syt, nt, tmp, MK_PR);
                    for (int u = 0; u < nt; u++)
                        for (int64_t r = lo; r < hi; r++) out[(t + u) * out_stride + r] = tmp[u * MK_PR + (r - ra)];
                }
            }
        }
        free(heap);
    }
    if (r1 > ng * MK_PR) { /* the plain rows after the groups */
        const int64_t base = ng * MK_PR, ta = r0 > base ? r0 : base;
        rows_tokens(tb->dot[wtype], tb->dotn[wtype], cols, P + ng * gbytes, row_bytes, A, act_row_bytes, out + base,
                    out_stride, ta - base, r1 - base, 0, n_tok);
    }
    return MBLLM_OK;
}

int mbllm_release_pages(void *p, int64_t bytes) {
    if (bytes < 0) return MBLLM_E_ARGS;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), e = ((uintptr_t)p + (uintptr_t)bytes) & ~(page - 1);
    if (e <= a) return MBLLM_OK;
    return madvise((void *)a, e - a, MADV_DONTNEED) == 0 ? MBLLM_OK : MBLLM_E_ARGS;
}

#define MK_HUGE (2 * 1024 * 1024)

void *mbllm_alloc_packed(int64_t bytes) {
    if (bytes <= 0) return 0;
    const size_t len = ((size_t)bytes + MK_HUGE - 1) & ~(size_t)(MK_HUGE - 1);
    /* over-map by one huge page, then trim to a 2 MiB-aligned start */
    uint8_t *m = mmap(0, len + MK_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return 0;
    uint8_t *a = (uint8_t *)(((uintptr_t)m + MK_HUGE - 1) & ~(uintptr_t)(MK_HUGE - 1));
    if (a > m) munmap(m, (size_t)(a - m));
    if (a + len < m + len + MK_HUGE) munmap(a + len, (size_t)(m + len + MK_HUGE - (a + len)));
#ifdef MADV_HUGEPAGE
    madvise(a, len, MADV_HUGEPAGE); /* advice only: without THP the pages are small */
#endif
    return a;
}

int mbllm_free_packed(void *p, int64_t bytes) {
    if (!p || bytes <= 0) return MBLLM_OK;
    const size_t len = ((size_t)bytes + MK_HUGE - 1) & ~(size_t)(MK_HUGE - 1);
    return munmap(p, len) == 0 ? MBLLM_OK : MBLLM_E_ARGS;
}

/* ---------------------------------------------------------------- attention */

int mbllm_attn_f16(int variant, const float *q, int64_t q_off, const uint16_t *k, int64_t k_off, int64_t k_stride,
                   const uint16_t *v, int64_t v_off, int64_t v_stride, int32_t len, int32_t hd_k, int32_t hd_v, float scale,
                   float *out, int64_t out_off) {
    if (variant < MBLLM_VARIANT_AVX2 || variant > MBLLM_VARIANT_AVX512 || !(VARIANTS & (1 << variant))) return MBLLM_E_VARIANT;
    if (len < 0 || hd_k <= 0 || hd_v <= 0 || hd_k > MK_ATTN_MAX_HD || hd_v > MK_ATTN_MAX_HD) return MBLLM_E_ARGS;
    return (variant == MBLLM_VARIANT_AVX512 ? mk_attn_f16_avx512 : mk_attn_f16_avx2)(q + q_off, k + k_off, k_stride,
                                                                                     v + v_off, v_stride, len, hd_k, hd_v,
                                                                                     scale, out + out_off);
}
