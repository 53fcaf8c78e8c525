// The q8 mode's K-quant kernels (q8_kquants.h) for AVX-512 VNNI: `vpdpbusd`, 64 u8 × s8 products an instruction.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c"))), \
                             apply_to = function)
#define KQ_DOT(acc, w, x) ((i32x16)__builtin_ia32_vpdpbusd512((acc), (w), (x)))
#include "q8_kquants.h"

DEFINE_KQ_ENTRY(braid_kq_matvec_vnni)

#pragma clang attribute pop
#endif
