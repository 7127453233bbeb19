/* AVX-512 F/BW/VL/VNNI kernels (see mk_simd.h). */
#define MK_AVX512 1
#define MK_TABLE_FN mk_table_avx512
#include "mk_simd.h"
