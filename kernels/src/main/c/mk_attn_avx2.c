/* Flash attention, AVX2 + FMA + F16C build (see mk_attn.h). */
#define MK_ATTN_AVX512 0
#define MK_ATTN_FN mk_attn_f16_avx2
#include "mk_attn.h"
