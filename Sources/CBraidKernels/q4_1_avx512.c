// Q4_1 products for AVX-512, in a file of their own so that every function here (the shared
// helpers of unpack.h and matvec.h included) is compiled for AVX-512: the lookup below uses an
// AVX-512 instruction that the portable instantiations in kernels.c cannot contain.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))), \
                             apply_to = function)
#include "matvec.h"

/// Q4_1 for AVX-512: the 16 possible values d·q + m of a block form one register, and each
/// weight is looked up in it by its nibble (`vpermps` reads only an index's low four bits, so the
/// low nibbles need no mask) — no integer-to-float conversion and no per-weight multiply-add.
/// d·q is exact in f32 (11 × 4 significant bits), so the values equal the reference's.
INLINE void unpack_q4_1_lookup(const uint8_t *row, long g, f32x16 *a, f32x16 *b) {
    const uint8_t *block = row + 20 * g;
    f32x2 dm = half_pair(block);
    const f32x16 iota = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    f32x16 table = iota * splat(dm[0]) + splat(dm[1]);
    i32x16 q = __builtin_convertvector(load_u8(block + 4), i32x16);
    *a = (f32x16)__builtin_ia32_permvarsf512(table, q);
    *b = (f32x16)__builtin_ia32_permvarsf512(table, q >> 4);
}

DEFINE_PRODUCTS(q4_1_lookup, 24576)

void braid_q4_1_matvec_avx512(const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                              const float *x, long xs, long rows, float *y, long ys) {
    matvec_q4_1_lookup(w, row_bytes, inputs, o0, o1, x, xs, rows, y, ys, 1);
}

#pragma clang attribute pop
#endif
