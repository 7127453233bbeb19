/* AVX2 + FMA + F16C kernels (see mk_simd.h). */
#define MK_AVX512 0
#define MK_TABLE_FN mk_table_avx2
#include "mk_simd.h"
