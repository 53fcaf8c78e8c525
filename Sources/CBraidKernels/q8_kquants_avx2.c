// The q8 mode's K-quant kernels (q8_kquants.h) for AVX2: `vpmaddubsw` and `vpmaddwd` on 256-bit halves
// (the weights are unsigned and at most 63, so a pair sum, ≤ 2 · 63 · 127, never saturates int16).
#if defined(__x86_64__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#include <stdint.h>

typedef int16_t i16x16h __attribute__((vector_size(32)));
typedef int16_t i16x32h __attribute__((vector_size(64)));
typedef int32_t i32x16h __attribute__((vector_size(64)));
typedef int32_t i32x8h __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) i16x32h kq_pairs_avx2(i32x16h w, i32x16h x) {
    __m256i lo = _mm256_maddubs_epi16((__m256i)__builtin_shufflevector(w, w, 0, 1, 2, 3, 4, 5, 6, 7),
                                      (__m256i)__builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7));
    __m256i hi = _mm256_maddubs_epi16((__m256i)__builtin_shufflevector(w, w, 8, 9, 10, 11, 12, 13, 14, 15),
                                      (__m256i)__builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15));
    i16x16h a = (i16x16h)lo, b = (i16x16h)hi;
    return __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                   22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
}

static inline __attribute__((always_inline)) i32x16h kq_scaled_avx2(i32x16h acc, i16x32h p, i16x32h s) {
    i16x16h pl = __builtin_shufflevector(p, p, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    i16x16h ph = __builtin_shufflevector(p, p, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    i16x16h sl = __builtin_shufflevector(s, s, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    i16x16h sh = __builtin_shufflevector(s, s, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    i32x8h lo = (i32x8h)_mm256_madd_epi16((__m256i)pl, (__m256i)sl), hi = (i32x8h)_mm256_madd_epi16((__m256i)ph, (__m256i)sh);
    return acc + __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

#define KQ_PAIRS(w, x) kq_pairs_avx2((w), (x))
#define KQ_SCALED(a, p, s) kq_scaled_avx2((a), (p), (s))
#define KQ_MADD(a, b) ((i32x8h)_mm256_madd_epi16((__m256i)(a), (__m256i)(b)))
#include "q8_kquants.h"

DEFINE_KQ_ENTRY(braid_kq_matvec_avx2)

#pragma clang attribute pop
#endif
