// The q8 mode's K-quant kernels (q8_kquants.h) for AVX-512 VNNI: `vpmaddubsw` for the byte pairs,
// `vpdpwssd` to scale and add them, 64 products an instruction pair.
#if defined(__x86_64__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c"))), \
                             apply_to = function)
#define KQ_PAIRS(w, x) ((i16x32k)_mm512_maddubs_epi16((__m512i)(w), (__m512i)(x)))
#define KQ_SCALED(a, p, s) ((i32x16)_mm512_dpwssd_epi32((__m512i)(a), (__m512i)(p), (__m512i)(s)))
#define KQ_MADD(a, b) ((i32x8k)_mm256_madd_epi16((__m256i)(a), (__m256i)(b)))
#include "q8_kquants.h"

DEFINE_KQ_ENTRY(braid_kq_matvec_vnni)

#pragma clang attribute pop
#endif
