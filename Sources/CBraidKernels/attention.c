// The two inner loops of attention over one 16-slot KV block, compiled per instruction set like
// the matrix kernels (see kernels.c).
#include "braid_kernels.h"
#include "unpack.h"

INLINE void block_scores(const float *q, int heads, int d, const float *keys, float scale,
                         float *scores, long stride, int n) {
    for (int h = 0; h < heads; h++) {
        const float *qh = q + (long)h * d;
        f32x16 a = {0}, b = {0};
        int j = 0;
        for (; j + 2 <= d; j += 2) {
            a += qh[j] * load_f32(keys + (long)j * 16);
            b += qh[j + 1] * load_f32(keys + (long)(j + 1) * 16);
        }
        for (; j < d; j++) a += qh[j] * load_f32(keys + (long)j * 16);
        f32x16 s = (a + b) * scale;
        float *row = scores + h * stride;
        for (int t = 0; t < n; t++) row[t] = s[t];
    }
}

INLINE void block_values(const float *p, const float *values, long row_stride, int n, int d, float *out) {
    int c = 0;
    for (; c + 32 <= d; c += 32) {
        f32x16 a = load_f32(out + c), b = load_f32(out + c + 16);
        for (int t = 0; t < n; t++) {
            const float *v = values + t * row_stride + c;
            a += p[t] * load_f32(v);
            b += p[t] * load_f32(v + 16);
        }
        store_f32(out + c, a);
        store_f32(out + c + 16, b);
    }
    for (; c < d; c++) {
        float sum = out[c];
        for (int t = 0; t < n; t++) sum += p[t] * values[t * row_stride + c];
        out[c] = sum;
    }
}

#define ATTENTION_INSTANCE(SUFFIX, TARGET)                                                      \
    TARGET static void scores_##SUFFIX(const float *q, int heads, int d, const float *keys,      \
                                       float scale, float *scores, long stride, int n) {       \
        block_scores(q, heads, d, keys, scale, scores, stride, n);                              \
    }                                                                                           \
    TARGET static void values_##SUFFIX(const float *p, const float *values, long row_stride,     \
                                       int n, int d, float *out) {                              \
        block_values(p, values, row_stride, n, d, out);                                         \
    }

ATTENTION_INSTANCE(baseline, )
#if defined(__x86_64__)
ATTENTION_INSTANCE(avx2, __attribute__((target("avx2,fma,f16c"))))
ATTENTION_INSTANCE(avx512, __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))))
#endif

void braid_block_scores(const float *q, int heads, int d, const float *keys, float scale,
                        float *scores, long stride, int n) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: scores_avx512(q, heads, d, keys, scale, scores, stride, n); return;
    case 1: scores_avx2(q, heads, d, keys, scale, scores, stride, n); return;
#endif
    default: scores_baseline(q, heads, d, keys, scale, scores, stride, n); return;
    }
}

void braid_block_values(const float *p, const float *values, long row_stride, int n, int d, float *out) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: values_avx512(p, values, row_stride, n, d, out); return;
    case 1: values_avx2(p, values, row_stride, n, d, out); return;
#endif
    default: values_baseline(p, values, row_stride, n, d, out); return;
    }
}
