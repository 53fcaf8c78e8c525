// Softmax and SiLU·gate on SIMD lanes, compiled per instruction set like the other kernels (see
// kernels.c). Both need e^x for every element: a decode step of 16 streams after a 512-token prompt
// takes about 2.3 million exponentials in attention and 0.7 million in the FFNs, which one at a time
// through libm's expf cost about a tenth of the step.
#include "braid_kernels.h"
#include "unpack.h"

/// e^x on 16 lanes, Cephes' single-precision method: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in
/// two so that n·ln 2 is exact), e^r by a degree-7 polynomial, times 2^n built in the exponent bits.
/// Relative error about 1e-7 (1–2 units in the last place, as libm's expf at most half a unit). Below
/// −87.33 (where e^x leaves the normal range) it returns 0, above 88.38 the value at 88.38.
INLINE f32x16 exp16(f32x16 x) {
    const f32x16 high = splat(88.3762626647949f), low = splat(-87.3365447505531f);
    i32x16 tiny = (i32x16)(x < low);
    x = __builtin_elementwise_min(__builtin_elementwise_max(x, low), high);
    // Round x·log2(e) to the nearest integer by adding and removing 1.5·2^23.
    const f32x16 magic = splat(12582912.0f);
    f32x16 n = (x * 1.44269504088896341f + magic) - magic;
    f32x16 r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    f32x16 p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    i32x16 bits = (__builtin_convertvector(n, i32x16) + 127) << 23;
    f32x16 scale;
    memcpy(&scale, &bits, 64);
    f32x16 e = p * scale;
    i32x16 out;
    memcpy(&out, &e, 64);
    out &= ~tiny;
    memcpy(&e, &out, 64);
    return e;
}

/// Up to 16 floats from `p` (`n` of them), the rest of the lanes `fill`.
INLINE f32x16 load_part(const float *p, long n, float fill) {
    float lanes[16];
    for (int i = 0; i < 16; i++) lanes[i] = i < n ? p[i] : fill;
    return load_f32(lanes);
}

INLINE void store_part(float *p, long n, f32x16 v) {
    for (long i = 0; i < n && i < 16; i++) p[i] = v[i];
}

INLINE float sum16(f32x16 v) {
    f32x8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
        + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    f32x4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b[0] + b[2]) + (b[1] + b[3]);
}

INLINE float max16(f32x16 v) {
    float m = v[0];
    for (int i = 1; i < 16; i++) m = v[i] > m ? v[i] : m;
    return m;
}

/// x[i] ← e^(x[i] − m) for i < n; returns the lane sums (the last partial vector's unused lanes add 0).
INLINE f32x16 exp_shifted(float *x, long n, f32x16 m) {
    f32x16 sum = {0};
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        f32x16 e = exp16(load_f32(x + i) - m);
        store_f32(x + i, e);
        sum += e;
    }
    if (i < n) {
        f32x16 e = exp16(load_part(x + i, n - i, -__builtin_inff()) - m);
        store_part(x + i, n - i, e);
        sum += e;
    }
    return sum;
}

/// x ← softmax(x) over n floats: e^(x − max) / Σ. Every element, the last partial vector's included,
/// goes through the same lanes and the same sum, so the result depends only on the row.
INLINE void softmax(float *x, long n) {
    if (n <= 0) return;
    f32x16 top = splat(-__builtin_inff());
    long i = 0;
    for (; i + 16 <= n; i += 16) top = __builtin_elementwise_max(top, load_f32(x + i));
    if (i < n) top = __builtin_elementwise_max(top, load_part(x + i, n - i, -__builtin_inff()));
    f32x16 sum = exp_shifted(x, n, splat(max16(top)));
    f32x16 inverse = splat(1.0f / sum16(sum));
    for (i = 0; i + 16 <= n; i += 16) store_f32(x + i, load_f32(x + i) * inverse);
    if (i < n) store_part(x + i, n - i, load_part(x + i, n - i, 0) * inverse);
}

/// out = silu(gate) · up = gate / (1 + e^−gate) · up over n floats.
INLINE void swiglu(const float *gate, const float *up, float *out, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        f32x16 g = load_f32(gate + i);
        store_f32(out + i, g / (1.0f + exp16(-g)) * load_f32(up + i));
    }
    if (i < n) {
        f32x16 g = load_part(gate + i, n - i, 0);
        store_part(out + i, n - i, g / (1.0f + exp16(-g)) * load_part(up + i, n - i, 0));
    }
}

/// x ← e^(l/T − max l/T) over n floats of `logits` (which may be x itself); chunk[c] = Σ of elements [256c, 256c + 256) (f32
/// lanes, then double); returns Σ chunk. The sampler draws from these weights without sorting or
/// copying: a draw walks the chunk sums, then one chunk.
INLINE double sampling_weights(const float *logits, float *x, long n, float temperature, double *chunk) {
    f32x16 top = splat(-__builtin_inff()), t = splat(temperature);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        f32x16 v = load_f32(logits + i) / t;
        store_f32(x + i, v);
        top = __builtin_elementwise_max(top, v);
    }
    for (; i < n; i++) {
        x[i] = logits[i] / temperature;
        top[0] = x[i] > top[0] ? x[i] : top[0];
    }
    f32x16 m = splat(max16(top));
    double total = 0;
    for (long c = 0; c * 256 < n; c++) {
        long length = n - c * 256 < 256 ? n - c * 256 : 256;
        chunk[c] = (double)sum16(exp_shifted(x + c * 256, length, m));
        total += chunk[c];
    }
    return total;
}

/// The index of the first largest of n floats (NaNs never win; 0 when none is a number).
INLINE long argmax(const float *x, long n) {
    f32x16 top = splat(-__builtin_inff());
    long i = 0;
    for (; i + 16 <= n; i += 16) top = __builtin_elementwise_max(top, load_f32(x + i));
    float m = max16(top);
    for (; i < n; i++) m = x[i] > m ? x[i] : m;
    for (i = 0; i < n; i++) if (x[i] == m) return i;
    return 0;
}

#define ACTIVATION_INSTANCE(SUFFIX, TARGET)                                                     \
    TARGET static void softmax_##SUFFIX(float *x, long n) { softmax(x, n); }                    \
    TARGET static void swiglu_##SUFFIX(const float *gate, const float *up, float *out, long n) { \
        swiglu(gate, up, out, n);                                                               \
    }                                                                                           \
    TARGET static double sampling_weights_##SUFFIX(const float *l, float *x, long n, float t, double *chunk) { \
        return sampling_weights(l, x, n, t, chunk);                                             \
    }                                                                                           \
    TARGET static long argmax_##SUFFIX(const float *x, long n) { return argmax(x, n); }

ACTIVATION_INSTANCE(baseline, )
#if defined(__x86_64__)
ACTIVATION_INSTANCE(avx2, __attribute__((target("avx2,fma,f16c"))))
ACTIVATION_INSTANCE(avx512, __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))))
#endif

void braid_softmax(float *x, long n) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: softmax_avx512(x, n); return;
    case 1: softmax_avx2(x, n); return;
#endif
    default: softmax_baseline(x, n); return;
    }
}

void braid_swiglu(const float *gate, const float *up, float *out, long n) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: swiglu_avx512(gate, up, out, n); return;
    case 1: swiglu_avx2(gate, up, out, n); return;
#endif
    default: swiglu_baseline(gate, up, out, n); return;
    }
}

double braid_sampling_weights_from(const float *logits, float *x, long n, float temperature, double *chunk_sums) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: return sampling_weights_avx512(logits, x, n, temperature, chunk_sums);
    case 1: return sampling_weights_avx2(logits, x, n, temperature, chunk_sums);
#endif
    default: return sampling_weights_baseline(logits, x, n, temperature, chunk_sums);
    }
}

double braid_sampling_weights(float *x, long n, float temperature, double *chunk_sums) {
    return braid_sampling_weights_from(x, x, n, temperature, chunk_sums);
}

long braid_argmax(const float *x, long n) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: return argmax_avx512(x, n);
    case 1: return argmax_avx2(x, n);
#endif
    default: return argmax_baseline(x, n);
    }
}
