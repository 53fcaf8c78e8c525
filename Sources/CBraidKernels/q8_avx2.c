// The q8 activation mode's kernels for AVX2: `vpmaddubsw` (u8 × s8 pairs to int16) and `vpmaddwd`
// (int16 pairs to int32) stand in for VNNI's `vpdpbusd`. A pair sum stays within int16: Q4_1's
// weights are at most 15, and signed Q8_0 weights go in as |w| with the activation's sign flipped
// where w < 0 (|w| ≤ 128, |q| ≤ 127), so no sum saturates and the integer products are exact.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#include "q8_matvec.h"
#include "q8_quantize.h"

typedef int16_t i16x16 __attribute__((vector_size(32)));
typedef int8_t i8x32 __attribute__((vector_size(32)));

INLINE i32x8 lo8(i32x16 v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7); }
INLINE i32x8 hi8(i32x16 v) { return __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15); }
INLINE i32x16 join(i32x8 a, i32x8 b) {
    return __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/// Eight lanes of four u8 × s8 products summed into int32.
INLINE i32x8 dot8(i32x8 w, i32x8 x) {
    i16x16 pairs = (i16x16)__builtin_ia32_pmaddubsw256((u8x32)w, (i8x32)x);
    return (i32x8)__builtin_ia32_pmaddwd256(pairs, (i16x16){1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
}

INLINE i32x16 dot_u(i32x16 acc, i32x16 w, i32x16 x) {
    return acc + join(dot8(lo8(w), lo8(x)), dot8(hi8(w), hi8(x)));
}

/// Signed weights: |w| against x with the sign of w.
INLINE i32x8 dot8_signed(i32x8 w, i32x8 x) {
    i8x32 wb = (i8x32)w;
    i32x8 magnitude = (i32x8)__builtin_elementwise_abs(wb);
    i32x8 signed_x = (i32x8)__builtin_ia32_psignb256((i8x32)x, wb);
    return dot8(magnitude, signed_x);
}

INLINE i32x16 dot_s(i32x16 acc, i32x16 w, i32x16 x) {
    return acc + join(dot8_signed(lo8(w), lo8(x)), dot8_signed(hi8(w), hi8(x)));
}

/// Lane i ← lane idx[i] of the eight weight quads (two `vpermd`).
INLINE i32x16 perm(i32x16 w, i32x16 idx) {
    i32x8 q = lo8(w);
    return join((i32x8)__builtin_ia32_permvarsi256(q, lo8(idx)), (i32x8)__builtin_ia32_permvarsi256(q, hi8(idx)));
}

#define Q8_PERM(w, idx) perm((w), (idx))
#define Q8_DOT_U(acc, w, x) dot_u((acc), (w), (x))
#define Q8_DOT_S(acc, w, x) dot_s((acc), (w), (x))
#define Q8_PREP_S(w) (w)
#define Q8_INIT_S(c) ((i32x16){0})
#define Q8_DOT8_U(acc, w, x) ((acc) + dot8((w), (x)))
#define Q8_DOT8_S(acc, w, x) ((acc) + dot8_signed((w), (x)))
#define Q8_PREP8_S(w) (w)
#define Q8_INIT8_S(c) ((i32x8){0})

#define Q8_SMALL(T, R) o0   /* every weight row in the generic form */

DEFINE_Q8_ENTRY(braid_matvec_q8_avx2)

void braid_q8_quantize_avx2(const float *x, long xs, long rows, long inputs, int kquants, void *buffer, long part,
                            long parts) {
    q8_quantize(x, xs, rows, inputs, kquants, buffer, part, parts);
}

#pragma clang attribute pop
#endif
