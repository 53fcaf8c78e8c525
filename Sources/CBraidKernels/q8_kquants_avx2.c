// The q8 mode's K-quant kernels (q8_kquants.h) for AVX2: `vpmaddubsw` + `vpmaddwd` for `vpdpbusd`. The
// weights are unsigned and at most 63, so a pair sum (≤ 2 · 63 · 127) never saturates int16.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#include <stdint.h>
typedef int32_t i32x16 __attribute__((vector_size(64)));
typedef int32_t i32x8a __attribute__((vector_size(32)));
typedef int16_t i16x16a __attribute__((vector_size(32)));
typedef int8_t i8x32a __attribute__((vector_size(32)));
typedef uint8_t u8x32a __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) i32x8a kq_dot8(i32x8a w, i32x8a x) {
    i16x16a pairs = (i16x16a)__builtin_ia32_pmaddubsw256((u8x32a)w, (i8x32a)x);
    return (i32x8a)__builtin_ia32_pmaddwd256(pairs, (i16x16a){1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
}

static inline __attribute__((always_inline)) i32x16 kq_dot_avx2(i32x16 acc, i32x16 w, i32x16 x) {
    i32x8a lo = kq_dot8(__builtin_shufflevector(w, w, 0, 1, 2, 3, 4, 5, 6, 7), __builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7));
    i32x8a hi = kq_dot8(__builtin_shufflevector(w, w, 8, 9, 10, 11, 12, 13, 14, 15),
                        __builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15));
    return acc + __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

#define KQ_DOT(acc, w, x) kq_dot_avx2((acc), (w), (x))
#include "q8_kquants.h"

DEFINE_KQ_ENTRY(braid_kq_matvec_avx2)

#pragma clang attribute pop
#endif
