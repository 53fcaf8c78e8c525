// RMSNorm and RoPE of one activation row on SIMD lanes, compiled per instruction set like the other
// kernels (see kernels.c). Both run once per row per layer on the calling thread while the pool's workers
// wait, so a 16-row step pays them 16 times: as scalar Swift (with the rest of a layer's per-row code) they
// were 1.8% of a 16-path ParaThinker run's samples, all on that thread; 1.0% now, 0.7% of it these two.
// No fused multiply-add, so RoPE gives what its scalar formula gives, bit for bit, on every instruction set.
#include "braid_kernels.h"
#include "unpack.h"

#pragma clang fp contract(off)

typedef double f64x8 __attribute__((vector_size(64)));

/// out = x / sqrt(mean(x²) + epsilon) · weight, the mean in double: each square is exact in double, and the
/// order of the sum (eight lanes, then across them) moves only its last bits, far below the float scale's
/// rounding (the same order on every instruction set, so every instance gives the same bits).
INLINE void rms_norm(const float *x, const float *weight, float epsilon, float *out, long n) {
    f64x8 lanes = {0};
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        f32x8 v;
        memcpy(&v, x + i, 32);
        f64x8 d = __builtin_convertvector(v, f64x8);
        lanes += d * d;
    }
    double sum = 0;
    for (int k = 0; k < 8; k++) sum += lanes[k];
    for (; i < n; i++) sum += (double)x[i] * (double)x[i];
    float scale = (float)(1.0 / __builtin_elementwise_sqrt(sum / (double)n + (double)epsilon));
    f32x16 s = splat(scale);
    for (i = 0; i + 16 <= n; i += 16) store_f32(out + i, load_f32(x + i) * s * load_f32(weight + i));
    for (; i < n; i++) out[i] = x[i] * scale * weight[i];
}

/// Rotates `heads` heads of `d` values in place by the angles of one position (`cos`, `sin`: d / 2 each).
/// Adjacent pairs (x[2i], x[2i+1]) or, with `half_split`, (x[i], x[i + d/2]):
///   x' = a·cos − b·sin,  y' = a·sin + b·cos.
INLINE void rope(float *x, long heads, long d, int half_split, const float *cos, const float *sin) {
    long half = d / 2;
    for (long h = 0; h < heads; h++) {
        float *v = x + h * d;
        long i = 0;
        if (half_split) {
            for (; i + 16 <= half; i += 16) {
                f32x16 a = load_f32(v + i), b = load_f32(v + i + half), c = load_f32(cos + i), s = load_f32(sin + i);
                store_f32(v + i, a * c - b * s);
                store_f32(v + i + half, a * s + b * c);
            }
            for (; i < half; i++) {
                float a = v[i], b = v[i + half];
                v[i] = a * cos[i] - b * sin[i];
                v[i + half] = a * sin[i] + b * cos[i];
            }
            continue;
        }
        // Eight pairs a vector: lane 2k holds a, lane 2k + 1 holds b; the swapped vector the other one.
        for (; i + 8 <= half; i += 8) {
            f32x16 p = load_f32(v + 2 * i);
            f32x16 q = __builtin_shufflevector(p, p, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
            f32x8 c8, s8;
            memcpy(&c8, cos + i, 32);
            memcpy(&s8, sin + i, 32);
            f32x16 c = __builtin_shufflevector(c8, c8, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
            f32x16 s = __builtin_shufflevector(s8, s8, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
            // even lanes a·c − b·s; odd lanes b·c + a·s (= a·s + b·c: a sum of two rounded products commutes)
            f32x16 sign = {-1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1};
            store_f32(v + 2 * i, p * c + q * s * sign);
        }
        for (; i < half; i++) {
            float a = v[2 * i], b = v[2 * i + 1];
            v[2 * i] = a * cos[i] - b * sin[i];
            v[2 * i + 1] = a * sin[i] + b * cos[i];
        }
    }
}

#define ROWS_INSTANCE(SUFFIX, TARGET)                                                            \
    TARGET static void rms_norm_##SUFFIX(const float *x, const float *w, float e, float *out, long n) { \
        rms_norm(x, w, e, out, n);                                                               \
    }                                                                                            \
    TARGET static void rope_##SUFFIX(float *x, long heads, long d, int half_split, const float *c, const float *s) { \
        rope(x, heads, d, half_split, c, s);                                                     \
    }

ROWS_INSTANCE(baseline, )
#if defined(__x86_64__)
ROWS_INSTANCE(avx2, __attribute__((target("avx2,fma,f16c"))))
ROWS_INSTANCE(avx512, __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))))
#endif

void braid_rms_norm(const float *x, const float *weight, float epsilon, float *out, long n) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: rms_norm_avx512(x, weight, epsilon, out, n); return;
    case 1: rms_norm_avx2(x, weight, epsilon, out, n); return;
#endif
    default: rms_norm_baseline(x, weight, epsilon, out, n); return;
    }
}

void braid_rope(float *x, long heads, long head_dim, int half_split, const float *cos, const float *sin) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: rope_avx512(x, heads, head_dim, half_split, cos, sin); return;
    case 1: rope_avx2(x, heads, head_dim, half_split, cos, sin); return;
#endif
    default: rope_baseline(x, heads, head_dim, half_split, cos, sin); return;
    }
}
