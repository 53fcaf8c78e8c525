// The two inner loops of attention over one 16-slot KV block, compiled per instruction set like
// the matrix kernels (see kernels.c).
#include "braid_kernels.h"
#include "kv_elements.h"

// Up to four heads share each key load; their chains (two per head: even and odd dimensions)
// run interleaved, so the loop is bound by FMA throughput rather than FMA latency.
INLINE void scores_heads(const float *q, int heads, int d, const void *keys, int f16, float scale,
                         float *scores, long stride, int n) {
    f32x16 even[4] = {{0}}, odd[4] = {{0}};
    int j = 0;
    for (; j + 2 <= d; j += 2) {
        f32x16 k0 = load_kv(keys, (long)j * 16, f16), k1 = load_kv(keys, (long)(j + 1) * 16, f16);
        for (int h = 0; h < 4; h++) {
            if (h < heads) {
                even[h] += q[(long)h * d + j] * k0;
                odd[h] += q[(long)h * d + j + 1] * k1;
            }
        }
    }
    for (; j < d; j++) {
        f32x16 k0 = load_kv(keys, (long)j * 16, f16);
        for (int h = 0; h < heads; h++) even[h] += q[(long)h * d + j] * k0;
    }
    for (int h = 0; h < heads; h++) {
        f32x16 s = (even[h] + odd[h]) * scale;
        float *row = scores + h * stride;
        if (n == 16) {   // a full block: one vector store, not 16 scalar ones through the stack
            memcpy(row, &s, 64);
        } else {
            for (int t = 0; t < n; t++) row[t] = s[t];
        }
    }
}

INLINE void block_scores(const float *q, int heads, int d, const void *keys, int f16, float scale,
                         float *scores, long stride, int n) {
    for (int h = 0; h < heads; h += 4) {
        int count = heads - h < 4 ? heads - h : 4;
        const float *qh = q + (long)h * d;
        float *rows = scores + h * stride;
        switch (count) {   // constant head counts let the compiler keep every chain in registers
        case 4: scores_heads(qh, 4, d, keys, f16, scale, rows, stride, n); break;
        case 3: scores_heads(qh, 3, d, keys, f16, scale, rows, stride, n); break;
        case 2: scores_heads(qh, 2, d, keys, f16, scale, rows, stride, n); break;
        default: scores_heads(qh, 1, d, keys, f16, scale, rows, stride, n); break;
        }
    }
}

// out_h[c] += Σ_t p_h[t] · v_t[c] for `heads` (≤ 4) probability rows against the same value block, 32 output
// dimensions of each head in registers across the block's slots, even and odd slots in separate sums added at
// the end. Each value row is loaded (and widened) once for all heads; a head's sums are formed the same way
// whatever `heads` is, so one call for the group gives each head what a call of its own gives. Only columns
// [0, cols) are summed (heads' outputs stay d apart), and each column independently of the others, so calls
// over disjoint column ranges together give what one call over all of them gives.
INLINE void values_heads(const float *p, long p_stride, int heads, const void *values, int f16, long row_stride,
                         int n, int d, int cols, float *out) {
    int c = 0;
    for (; c + 32 <= cols; c += 32) {
        f32x16 a[4], b[4], a2[4], b2[4];
        for (int h = 0; h < heads; h++) {
            a[h] = load_f32(out + (long)h * d + c);
            b[h] = load_f32(out + (long)h * d + c + 16);
            a2[h] = b2[h] = (f32x16){0};
        }
        int t = 0;
        for (; t + 2 <= n; t += 2) {
            long v = t * row_stride + c;
            f32x16 v0 = load_kv(values, v, f16), v1 = load_kv(values, v + 16, f16);
            f32x16 w0 = load_kv(values, v + row_stride, f16), w1 = load_kv(values, v + row_stride + 16, f16);
            for (int h = 0; h < 4; h++) {
                if (h < heads) {
                    const float *ph = p + h * p_stride;
                    a[h] += ph[t] * v0;
                    b[h] += ph[t] * v1;
                    a2[h] += ph[t + 1] * w0;
                    b2[h] += ph[t + 1] * w1;
                }
            }
        }
        for (; t < n; t++) {
            long v = t * row_stride + c;
            f32x16 v0 = load_kv(values, v, f16), v1 = load_kv(values, v + 16, f16);
            for (int h = 0; h < heads; h++) {
                a[h] += p[h * p_stride + t] * v0;
                b[h] += p[h * p_stride + t] * v1;
            }
        }
        for (int h = 0; h < heads; h++) {
            store_f32(out + (long)h * d + c, a[h] + a2[h]);
            store_f32(out + (long)h * d + c + 16, b[h] + b2[h]);
        }
    }
    if (c < cols) {
        for (int h = 0; h < heads; h++) {
            for (int cc = c; cc < cols; cc++) {
                float sum = out[(long)h * d + cc];
                for (int t = 0; t < n; t++) sum += p[h * p_stride + t] * kv_element(values, t * row_stride + cc, f16);
                out[(long)h * d + cc] = sum;
            }
        }
    }
}

INLINE void block_values_heads(const float *p, long p_stride, int heads, const void *values, int f16,
                               long row_stride, int n, int d, int cols, float *out) {
    for (int h = 0; h < heads; h += 4) {
        int count = heads - h < 4 ? heads - h : 4;
        const float *ph = p + h * p_stride;
        float *oh = out + (long)h * d;
        switch (count) {   // constant head counts keep every sum in registers
        case 4: values_heads(ph, p_stride, 4, values, f16, row_stride, n, d, cols, oh); break;
        case 3: values_heads(ph, p_stride, 3, values, f16, row_stride, n, d, cols, oh); break;
        case 2: values_heads(ph, p_stride, 2, values, f16, row_stride, n, d, cols, oh); break;
        default: values_heads(ph, p_stride, 1, values, f16, row_stride, n, d, cols, oh); break;
        }
    }
}

// Separate f32 and f16 instances, so that each inner loop is compiled for one element type.
#define ATTENTION_INSTANCE(SUFFIX, TARGET)                                                      \
    TARGET static void scores_##SUFFIX(const float *q, int heads, int d, const void *keys,       \
                                       int f16, float scale, float *scores, long stride, int n) { \
        if (f16) block_scores(q, heads, d, keys, 1, scale, scores, stride, n);                  \
        else block_scores(q, heads, d, keys, 0, scale, scores, stride, n);                      \
    }                                                                                           \
    TARGET static void values_heads_##SUFFIX(const float *p, long p_stride, int heads, const void *values, \
                                             int f16, long row_stride, int n, int d, int cols, float *out) { \
        if (f16) block_values_heads(p, p_stride, heads, values, 1, row_stride, n, d, cols, out); \
        else block_values_heads(p, p_stride, heads, values, 0, row_stride, n, d, cols, out);    \
    }

ATTENTION_INSTANCE(baseline, )
#if defined(__x86_64__)
ATTENTION_INSTANCE(avx2, __attribute__((target("avx2,fma,f16c"))))
ATTENTION_INSTANCE(avx512, __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))))
#endif

static void scores_any(const float *q, int heads, int d, const void *keys, int f16, float scale,
                       float *scores, long stride, int n) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: scores_avx512(q, heads, d, keys, f16, scale, scores, stride, n); return;
    case 1: scores_avx2(q, heads, d, keys, f16, scale, scores, stride, n); return;
#endif
    default: scores_baseline(q, heads, d, keys, f16, scale, scores, stride, n); return;
    }
}

static void values_heads_any(const float *p, long p_stride, int heads, const void *values, int f16, long row_stride,
                             int n, int d, int cols, float *out) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: values_heads_avx512(p, p_stride, heads, values, f16, row_stride, n, d, cols, out); return;
    case 1: values_heads_avx2(p, p_stride, heads, values, f16, row_stride, n, d, cols, out); return;
#endif
    default: values_heads_baseline(p, p_stride, heads, values, f16, row_stride, n, d, cols, out); return;
    }
}

void braid_block_values_heads(const float *p, long p_stride, int heads, const float *values, long row_stride, int n,
                              int d, float *out) {
    values_heads_any(p, p_stride, heads, values, 0, row_stride, n, d, d, out);
}

void braid_block_values_heads_f16(const float *p, long p_stride, int heads, const uint16_t *values, long row_stride,
                                  int n, int d, float *out) {
    values_heads_any(p, p_stride, heads, values, 1, row_stride, n, d, d, out);
}

void braid_block_values_columns(const float *p, long p_stride, int heads, const float *values, long row_stride, int n,
                                int d, int cols, float *out) {
    values_heads_any(p, p_stride, heads, values, 0, row_stride, n, d, cols, out);
}

void braid_block_values_columns_f16(const float *p, long p_stride, int heads, const uint16_t *values, long row_stride,
                                    int n, int d, int cols, float *out) {
    values_heads_any(p, p_stride, heads, values, 1, row_stride, n, d, cols, out);
}

void braid_block_scores(const float *q, int heads, int d, const float *keys, float scale,
                        float *scores, long stride, int n) {
    scores_any(q, heads, d, keys, 0, scale, scores, stride, n);
}

void braid_block_scores_f16(const float *q, int heads, int d, const uint16_t *keys, float scale,
                            float *scores, long stride, int n) {
    scores_any(q, heads, d, keys, 1, scale, scores, stride, n);
}

void braid_block_values(const float *p, const float *values, long row_stride, int n, int d, float *out) {
    values_heads_any(p, 0, 1, values, 0, row_stride, n, d, d, out);
}

void braid_block_values_f16(const float *p, const uint16_t *values, long row_stride, int n, int d, float *out) {
    values_heads_any(p, 0, 1, values, 1, row_stride, n, d, d, out);
}

/// Elements [i0, n) of `x` rounded to binary16 (to nearest, ties to even) one at a time.
INLINE void store_f16_tail(const float *x, long i0, long n, long stride, uint16_t *out) {
    for (long i = i0; i < n; i++) {
        _Float16 h = (_Float16)x[i];
        memcpy(out + i * stride, &h, 2);
    }
}

#if defined(__x86_64__)
/// Eight at a time with F16C's `vcvtps2ph` (the same rounding); without it each conversion is a libgcc call.
__attribute__((target("avx2,f16c"))) static void store_f16_f16c(const float *x, long n, long stride, uint16_t *out) {
    typedef _Float16 f16x8 __attribute__((vector_size(16)));
    typedef float f32x8s __attribute__((vector_size(32)));
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        f32x8s v;
        memcpy(&v, x + i, 32);
        f16x8 h = __builtin_convertvector(v, f16x8);
        if (stride == 1) {
            memcpy(out + i, &h, 16);
        } else {
            for (int k = 0; k < 8; k++) memcpy(out + (i + k) * stride, (const char *)&h + 2 * k, 2);
        }
    }
    store_f16_tail(x, i, n, stride, out);
}
#endif

void braid_store_f16(const float *x, long n, long stride, uint16_t *out) {
#if defined(__x86_64__)
    if (braid_kernel_isa() >= 1) {
        store_f16_f16c(x, n, stride, out);
        return;
    }
#endif
    store_f16_tail(x, 0, n, stride, out);
}

// `prefetcht1`, not `prefetcht0`: the lines go to L2, and a walk over blocks each read once (a path's own blocks, a
// long context under one query) keeps more of them in flight. One query over 70 cold 2 KiB key blocks
// (`Benchmarks/attention-bench.c walk`) took 200–230 ns a block with t0 and 115–145 ns with t1 or t2 on this
// Zen 4 machine; in `braid bench transformer` attention's share of a step fell by 25–40%. The weights' prefetches
// stay t0: there t1 measured slower (16-row Q4_1 product 118 → 133 µs).
void braid_prefetch_rows(const void *p, long rows, long row_bytes, long stride) {
    const char *base = (const char *)p;
    for (long r = 0; r < rows; r++) {
        const char *row = base + r * stride;
        for (long i = 0; i < row_bytes; i += 64) __builtin_prefetch(row + i, 0, 2);
        __builtin_prefetch(row + row_bytes - 1, 0, 2);
    }
}
