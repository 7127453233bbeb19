/*
 * mbllm native kernels: public entry points, called from Java through the FFM API
 * (io.mbllm.kernels.nativ.mbllm_kernels_h). Types are ggml type ids (shared/docs/gguf.md §3).
 *
 * y = W x is computed as in ggml: the activation rows are first converted to the weight type's
 * activation format (Q8_0, Q8_1, Q8_K, F16, BF16 or F32), then each weight row is dotted with
 * each converted activation row.
 */
#ifndef MBLLM_KERNELS_H
#define MBLLM_KERNELS_H

#include <stdint.h>

#define MBLLM_KERNELS_ABI 7

/* Kernel variants; the bit (1 << variant) is set in mbllm_kernels_variants() when usable here. */
#define MBLLM_VARIANT_SCALAR 0
#define MBLLM_VARIANT_AVX2 1
#define MBLLM_VARIANT_AVX512 2

/* Status codes. */
#define MBLLM_OK 0
#define MBLLM_E_TYPE (-1)    /* weight type has no kernel */
#define MBLLM_E_VARIANT (-2) /* variant not compiled in or not supported by this CPU */
#define MBLLM_E_ARGS (-3)    /* bad sizes */

/* ABI version of this library (MBLLM_KERNELS_ABI). */
int mbllm_kernels_abi(void);

/* Bit set of the variants usable on this CPU (bit 0 scalar is always set). */
int mbllm_kernels_variants(void);

/* 1 when weights of ggml type `wtype` have kernels, else 0. */
int mbllm_kernels_supports(int wtype);

/*
 * Bytes of one converted activation row of `cols` values for weight type `wtype`, or a negative
 * status. Q8_0/Q8_1/Q8_K rows are the ggml blocks; F16 and BF16 rows hold the fp16/bf16-rounded
 * values widened to float32 (the same values the reference uses, converted once, not per weight row).
 */
int64_t mbllm_act_row_bytes(int wtype, int64_t cols);

/*
 * Exact mode (1, the Java side's default) or reference mode (0, the library's initial state); returns the
 * previous mode. Exact mode follows llama.cpp's x86 CPU build bit for bit: Q8_0/Q8_1 activation codes are
 * nearest-even(x * (127/amax)) as ggml-cpu/arch/x86/quants.c quantize_row_q8_0 (reference mode: the reference
 * quantizer's round-half-away(x * (1/d))), single-token products go through the multi-token kernels (one
 * accumulator per token, ggml_vec_dot_q8_0_q8_0's order) and Q4_K sums its mins in four float lanes as
 * ggml_vec_dot_q4_K_q8_K. Set it before any other call; it is global to the process.
 */
int mbllm_set_exact(int on);

/*
 * Converts n_tok activation rows of `cols` floats (x, row-major) into the activation format of
 * weight type `wtype`, writing n_tok rows of mbllm_act_row_bytes() bytes to `act`.
 * Bit-exact with the reference quantizers (io.mbllm.gguf.quant), or in exact mode with ggml's x86 ones.
 */
int mbllm_quantize_act(int wtype, const float *x, int64_t cols, int32_t n_tok, void *act);

/*
 * The same for rows [t0, t1) only (x and act are the whole buffers), so that threads can split a batch.
 */
int mbllm_quantize_act_rows(int wtype, const float *x, int64_t cols, int32_t t0, int32_t t1, void *act);

/*
 * out[t * out_stride + r] = dot(W row r, act row t) for r in [r0, r1), t in [0, n_tok).
 * w: the whole weight matrix (row r at w + r * w_row_bytes); act: n_tok rows of act_row_bytes.
 */
int mbllm_matmul(int variant, int wtype, const void *w, int64_t w_row_bytes, int64_t cols,
                 const void *act, int64_t act_row_bytes, int32_t n_tok,
                 float *out, int64_t out_stride, int64_t r0, int64_t r1);

/*
 * Packed weights: a copy of a weight matrix re-laid out for one variant's kernels (interleaved rows), made once
 * at load time. Bytes of the packed copy of a rows x cols matrix of `wtype`, 0 when the variant has no packed
 * layout for that type (use mbllm_matmul on the plain matrix), or a negative status.
 */
int64_t mbllm_pack_bytes(int variant, int wtype, int64_t rows, int64_t cols);

/* Rows per packed group: row ranges given to mbllm_matmul_packed should start and end on multiples of it. */
int mbllm_pack_rows(int variant, int wtype);

/* Writes the packed copy of the plain matrix w (rows x cols, row-major) to dst (mbllm_pack_bytes bytes). */
int mbllm_pack(int variant, int wtype, const void *w, int64_t rows, int64_t cols, void *dst);

/*
 * mbllm_matmul on a packed copy: out[t * out_stride + r] = dot(row r, act row t) for r in [r0, r1). Results equal
 * the plain kernels' up to the float summation order. Ranges need not be group-aligned (unaligned ends cost a
 * partial group's worth of extra work).
 */
int mbllm_matmul_packed(int variant, int wtype, const void *packed, int64_t rows, int64_t cols,
                        const void *act, int64_t act_row_bytes, int32_t n_tok,
                        float *out, int64_t out_stride, int64_t r0, int64_t r1);

/*
 * Tells the kernel that the whole pages inside [p, p + bytes) of a read-only file mapping are not needed now
 * (madvise MADV_DONTNEED): they leave the resident set and are read back from the page cache if touched again.
 * Only for file mappings: anonymous memory would be zeroed.
 */
int mbllm_release_pages(void *p, int64_t bytes);

/*
 * Memory for a packed copy: an anonymous mapping of at least `bytes`, 2 MiB aligned and advised for transparent
 * huge pages (MADV_HUGEPAGE: a weight stream then misses the TLB once per 2 MiB instead of once per 4 KiB).
 * Returns 0 on failure. Free with mbllm_free_packed(p, bytes).
 */
void *mbllm_alloc_packed(int64_t bytes);
int mbllm_free_packed(void *p, int64_t bytes);

/*
 * Attention of one query head (q[q_off ..], hd_k floats) over positions 0 .. len-1 of an F16 K/V cache (IEEE
 * binary16 bits): key s at k[k_off + s*k_stride ..], value s at v[v_off + s*v_stride ..]; writes hd_v floats to
 * out[out_off ..]. The order of llama.cpp's CPU flash attention with F16 K/V on AVX-512 (see mk_attn.h), from
 * both the AVX2 and the AVX-512 variant (the same bits); MBLLM_E_VARIANT for the scalar variant or one this CPU
 * cannot run (the caller computes it in Java), MBLLM_E_ARGS for head sizes above 512. Offsets and strides count
 * elements.
 */
int mbllm_attn_f16(int variant, const float *q, int64_t q_off, const uint16_t *k, int64_t k_off, int64_t k_stride,
                   const uint16_t *v, int64_t v_off, int64_t v_stride, int32_t len, int32_t hd_k, int32_t hd_v, float scale,
                   float *out, int64_t out_off);

#endif
