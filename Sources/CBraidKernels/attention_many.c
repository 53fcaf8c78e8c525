// Attention over one 16-slot KV block for many query vectors at once, gathered from anywhere: the tokens
// that read a shared block (a prompt read by 16 paths) meet it in one call, each key or value load serving
// up to eight vectors instead of one token's query heads. A vector's sums are formed exactly as the
// per-token kernels of attention.c form them (the same chains, in the same order), so gathering changes
// no score and no output, only how often the block is loaded and widened.
#include "braid_kernels.h"
#include "kv_elements.h"

#define MANY_TILE 8   /* vectors sharing each load: 16 accumulators, two loaded rows */

/// Scores of V (≤ 8) vectors against the block: per vector an even- and an odd-dimension chain, as `scores_heads`.
INLINE void scores_tile(const float *const *q, float *const *rows, const int32_t *n, int V, int d, const void *keys,
                        int f16, float scale) {
    f32x16 even[MANY_TILE] = {{0}}, odd[MANY_TILE] = {{0}};
    int j = 0;
    for (; j + 2 <= d; j += 2) {
        f32x16 k0 = load_kv(keys, (long)j * 16, f16), k1 = load_kv(keys, (long)(j + 1) * 16, f16);
        for (int v = 0; v < MANY_TILE; v++) {
            if (v < V) {
                even[v] += q[v][j] * k0;
                odd[v] += q[v][j + 1] * k1;
            }
        }
    }
    for (; j < d; j++) {
        f32x16 k0 = load_kv(keys, (long)j * 16, f16);
        for (int v = 0; v < V; v++) even[v] += q[v][j] * k0;
    }
    for (int v = 0; v < V; v++) {
        f32x16 s = (even[v] + odd[v]) * scale;
        if (n[v] == 16) {
            memcpy(rows[v], &s, 64);
        } else {
            for (int t = 0; t < n[v]; t++) rows[v][t] = s[t];
        }
    }
}

INLINE void scores_many(const float *const *q, float *const *rows, const int32_t *n, int count, int d,
                        const void *keys, int f16, float scale) {
    for (int i = 0; i < count; i += MANY_TILE) {
        int V = count - i < MANY_TILE ? count - i : MANY_TILE;
        switch (V) {   // constant tile sizes keep every chain in registers
        case 8: scores_tile(q + i, rows + i, n + i, 8, d, keys, f16, scale); break;
        case 7: scores_tile(q + i, rows + i, n + i, 7, d, keys, f16, scale); break;
        case 6: scores_tile(q + i, rows + i, n + i, 6, d, keys, f16, scale); break;
        case 5: scores_tile(q + i, rows + i, n + i, 5, d, keys, f16, scale); break;
        case 4: scores_tile(q + i, rows + i, n + i, 4, d, keys, f16, scale); break;
        case 3: scores_tile(q + i, rows + i, n + i, 3, d, keys, f16, scale); break;
        case 2: scores_tile(q + i, rows + i, n + i, 2, d, keys, f16, scale); break;
        default: scores_tile(q + i, rows + i, n + i, 1, d, keys, f16, scale); break;
        }
    }
}

/// Columns [c, c + 16) of V (≤ 8) rows with the same slot count n: per lane an even- and an odd-slot chain, the
/// even one starting from the output, as `values_heads` sums each of its lanes.
INLINE void values_tile(const float *const *p, float *const *out, int V, const void *values, int f16,
                        long row_stride, int n, int c) {
    f32x16 a[MANY_TILE], a2[MANY_TILE];
    for (int v = 0; v < V; v++) {
        a[v] = load_f32(out[v] + c);
        a2[v] = (f32x16){0};
    }
    int t = 0;
    for (; t + 2 <= n; t += 2) {
        f32x16 v0 = load_kv(values, t * row_stride + c, f16), w0 = load_kv(values, (t + 1) * row_stride + c, f16);
        for (int v = 0; v < MANY_TILE; v++) {
            if (v < V) {
                a[v] += p[v][t] * v0;
                a2[v] += p[v][t + 1] * w0;
            }
        }
    }
    for (; t < n; t++) {
        f32x16 v0 = load_kv(values, t * row_stride + c, f16);
        for (int v = 0; v < V; v++) a[v] += p[v][t] * v0;
    }
    for (int v = 0; v < V; v++) store_f32(out[v] + c, a[v] + a2[v]);
}

/// Columns [0, cols) of V rows of slot count n: the 32-column chunks `values_heads` vectorizes, 16 lanes at a time,
/// then its scalar rest.
INLINE void values_rows(const float *const *p, float *const *out, int V, const void *values, int f16, long row_stride,
                        int n, int cols) {
    int whole = cols / 32 * 32;
    for (int c = 0; c < whole; c += 16) {
        switch (V) {
        case 8: values_tile(p, out, 8, values, f16, row_stride, n, c); break;
        case 7: values_tile(p, out, 7, values, f16, row_stride, n, c); break;
        case 6: values_tile(p, out, 6, values, f16, row_stride, n, c); break;
        case 5: values_tile(p, out, 5, values, f16, row_stride, n, c); break;
        case 4: values_tile(p, out, 4, values, f16, row_stride, n, c); break;
        case 3: values_tile(p, out, 3, values, f16, row_stride, n, c); break;
        case 2: values_tile(p, out, 2, values, f16, row_stride, n, c); break;
        default: values_tile(p, out, 1, values, f16, row_stride, n, c); break;
        }
    }
    for (int v = 0; v < V; v++) {
        for (int cc = whole; cc < cols; cc++) {
            float sum = out[v][cc];
            for (int t = 0; t < n; t++) sum += p[v][t] * kv_element(values, t * row_stride + cc, f16);
            out[v][cc] = sum;
        }
    }
}

/// Runs of up to eight consecutive rows with equal slot counts, one `values_rows` each.
INLINE void values_many(const float *const *p, float *const *out, const int32_t *n, int count, const void *values,
                        int f16, long row_stride, int cols) {
    int i = 0;
    while (i < count) {
        int V = 1;
        while (i + V < count && V < MANY_TILE && n[i + V] == n[i]) V++;
        values_rows(p + i, out + i, V, values, f16, row_stride, n[i], cols);
        i += V;
    }
}

#define MANY_INSTANCE(SUFFIX, TARGET)                                                                   \
    TARGET static void scores_many_##SUFFIX(const float *const *q, float *const *rows, const int32_t *n,  \
                                            int count, int d, const void *keys, int f16, float scale) {   \
        if (f16) scores_many(q, rows, n, count, d, keys, 1, scale);                                     \
        else scores_many(q, rows, n, count, d, keys, 0, scale);                                         \
    }                                                                                                   \
    TARGET static void values_many_##SUFFIX(const float *const *p, float *const *out, const int32_t *n,   \
                                            int count, const void *values, int f16, long row_stride,      \
                                            int cols) {                                                   \
        if (f16) values_many(p, out, n, count, values, 1, row_stride, cols);                            \
        else values_many(p, out, n, count, values, 0, row_stride, cols);                                \
    }

MANY_INSTANCE(baseline, )
#if defined(__x86_64__)
MANY_INSTANCE(avx2, __attribute__((target("avx2,fma,f16c"))))
MANY_INSTANCE(avx512, __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))))
#endif

static void scores_many_any(const float *const *q, float *const *rows, const int32_t *n, int count, int d,
                            const void *keys, int f16, float scale) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: scores_many_avx512(q, rows, n, count, d, keys, f16, scale); return;
    case 1: scores_many_avx2(q, rows, n, count, d, keys, f16, scale); return;
#endif
    default: scores_many_baseline(q, rows, n, count, d, keys, f16, scale); return;
    }
}

static void values_many_any(const float *const *p, float *const *out, const int32_t *n, int count, const void *values,
                            int f16, long row_stride, int cols) {
    switch (braid_kernel_isa()) {
#if defined(__x86_64__)
    case 2: values_many_avx512(p, out, n, count, values, f16, row_stride, cols); return;
    case 1: values_many_avx2(p, out, n, count, values, f16, row_stride, cols); return;
#endif
    default: values_many_baseline(p, out, n, count, values, f16, row_stride, cols); return;
    }
}

void braid_block_scores_many(const float *const *q, float *const *rows, const int32_t *n, int count, int d,
                             const float *keys, float scale) {
    scores_many_any(q, rows, n, count, d, keys, 0, scale);
}

void braid_block_scores_many_f16(const float *const *q, float *const *rows, const int32_t *n, int count, int d,
                                 const uint16_t *keys, float scale) {
    scores_many_any(q, rows, n, count, d, keys, 1, scale);
}

void braid_block_values_many(const float *const *p, float *const *out, const int32_t *n, int count,
                             const float *values, long row_stride, int cols) {
    values_many_any(p, out, n, count, values, 0, row_stride, cols);
}

void braid_block_values_many_f16(const float *const *p, float *const *out, const int32_t *n, int count,
                                 const uint16_t *values, long row_stride, int cols) {
    values_many_any(p, out, n, count, values, 1, row_stride, cols);
}
