/* Flash attention, AVX-512 build (see mk_attn.h). */
#define MK_ATTN_AVX512 1
#define MK_ATTN_FN mk_attn_f16_avx512
#include "mk_attn.h"
