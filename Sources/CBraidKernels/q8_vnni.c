// The q8 activation mode's kernels for AVX-512 VNNI: `vpdpbusd` multiplies four u8 weights with
// four s8 activations and adds the sum to an int32 lane, 64 products an instruction. Signed Q8_0
// weights are made unsigned by +128 (once per block, for all rows); the record's c = −128·Σq undoes it.
#if defined(__x86_64__)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c"))), \
                             apply_to = function)
#define Q8W_WIDE_UNPACK 1   /* AVX-512 BW: four blocks a word permute (q8_wide.h) */
#include "q8_matvec.h"
#include "q8_quantize.h"

#define Q8_PERM(w, idx) ((i32x16)__builtin_ia32_permvarsi512((w), (idx)))
#define Q8_DOT_U(acc, w, x) ((i32x16)__builtin_ia32_vpdpbusd512((acc), (w), (x)))
#define Q8_DOT_S(acc, w, x) Q8_DOT_U(acc, w, x)
#define Q8_PREP_S(w) ((w) ^ (int32_t)0x80808080)
#define Q8_INIT_S(c) (c)
#define Q8_DOT8_U(acc, w, x) ((i32x8)__builtin_ia32_vpdpbusd256((acc), (w), (x)))
#define Q8_DOT8_S(acc, w, x) Q8_DOT8_U(acc, w, x)
#define Q8_PREP8_S(w) ((w) ^ (int32_t)0x80808080)
#define Q8_INIT8_S(c) (c)

/// Groups of 1, 2 and 4 rows: eight weight rows a pass first (q8_vnni_one.h), the generic form for the rest.
#define Q8_SMALL(T, R) q8o_run_##T##_##R(w, row_bytes, blocks, o0, o1, xq, yg, ys)
#include "q8_vnni_one.h"
DEFINE_Q8O_TYPE(q4_1, 0, 20)
DEFINE_Q8O_TYPE(q8_0, 1, 34)

DEFINE_Q8_ENTRY(braid_matvec_q8_vnni)

void braid_q8_quantize_avx512(const float *x, long xs, long rows, long inputs, int kquants, void *buffer, long part,
                              long parts) {
    q8_quantize(x, xs, rows, inputs, kquants, buffer, part, parts);
}

#pragma clang attribute pop
#endif
