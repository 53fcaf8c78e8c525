// Q4_K products for AVX-512, in a file of their own for the same reason as q4_1_avx512.c: every
// function here is compiled for AVX-512, so the lookup below may use an AVX-512 instruction.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))), \
                             apply_to = function)
#include "matvec.h"

/// Q4_K for AVX-512 by table lookup, as Q4_1: a 32-element sub-block has one scale and one min, so
/// its 16 possible values d1·q − m1 (d1 = d·scale, m1 = dmin·min, rounded as the reference rounds
/// them) form one register and each weight is a `vpermps` of its nibble. d1·q is exact in f32
/// (11 + 6 + 4 significant bits), so each value has the reference's single rounding.
INLINE void unpack_sb_q4_K_lookup(const uint8_t *row, long s, int j, const q4_K_state *st, f32x16 *a,
                                  f32x16 *b) {
    const f32x16 iota = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    f32x16 table = iota * splat(st->d[j]) - splat(st->m[j]);
    const uint8_t *qs = row + 144 * s + 16 + 32 * (j >> 1);
    i32x16 q0 = __builtin_convertvector(load_u8(qs), i32x16), q1 = __builtin_convertvector(load_u8(qs + 16), i32x16);
    if (j & 1) {   // vpermps reads only the index's low four bits: no mask for the low nibbles
        q0 >>= 4;
        q1 >>= 4;
    }
    *a = (f32x16)__builtin_ia32_permvarsf512(table, q0);
    *b = (f32x16)__builtin_ia32_permvarsf512(table, q1);
}

typedef q4_K_state q4_K_lookup_state;
#define prep_q4_K_lookup prep_q4_K
DEFINE_DOTS_K(q4_K_lookup)
DEFINE_MATVEC(q4_K_lookup, 1L << 40)

void braid_q4_K_matvec_avx512(const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                              const float *x, long xs, long rows, float *y, long ys) {
    matvec_q4_K_lookup(w, row_bytes, inputs, o0, o1, x, xs, rows, y, ys, 1);
}

#pragma clang attribute pop
#endif
