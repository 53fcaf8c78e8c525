// KV cache elements as the attention kernels read them: f32, or binary16 widened exactly to f32.
#pragma once
#include "unpack.h"

typedef _Float16 f16x16 __attribute__((vector_size(32)));

/// 16 KV elements from element `i` of `p`: f32, or binary16 widened exactly (one `vcvtph2ps` where
/// the function is compiled for F16C; `--kv-type f16` halves the bytes attention reads).
INLINE f32x16 load_kv(const void *p, long i, int f16) {
    if (f16) {
        f16x16 h;
        memcpy(&h, (const _Float16 *)p + i, 32);
        return __builtin_convertvector(h, f32x16);
    }
    return load_f32((const float *)p + i);
}

INLINE float kv_element(const void *p, long i, int f16) {
    return f16 ? (float)((const _Float16 *)p)[i] : ((const float *)p)[i];
}
