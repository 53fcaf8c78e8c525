// The q8 activation mode for K-quant weights (Q4_K, Q6_K): the activation rows copied from the
// quantizer's layout (q8_layout.h) into the compact form of q8_kquants.h, the portable kernel, and the
// choice of instruction set (q8_kquants_avx2.c, q8_kquants_vnni.c).
#include "braid_kernels.h"

static inline __attribute__((always_inline)) void kq_dot_lanes(int32_t *acc, const uint8_t *w, const int8_t *x) {
    for (int l = 0; l < 16; l++)
        for (int k = 0; k < 4; k++) acc[l] += (int32_t)w[4 * l + k] * (int32_t)x[4 * l + k];
}

#include <stdint.h>
#include <string.h>
typedef int32_t i32x16 __attribute__((vector_size(64)));
static inline __attribute__((always_inline)) i32x16 kq_dot_portable(i32x16 acc, i32x16 w, i32x16 x) {
    int32_t a[16];
    uint8_t wb[64];
    int8_t xb[64];
    memcpy(a, &acc, 64);
    memcpy(wb, &w, 64);
    memcpy(xb, &x, 64);
    kq_dot_lanes(a, wb, xb);
    memcpy(&acc, a, 64);
    return acc;
}

#define KQ_DOT(acc, w, x) kq_dot_portable((acc), (w), (x))
#include "q8_kquants.h"

#include <stdlib.h>

DEFINE_KQ_ENTRY(kq_matvec_portable)

#if defined(__x86_64__)
void braid_kq_matvec_vnni(int type, const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr,
                          long rows, float *y, long ys);
void braid_kq_matvec_avx2(int type, const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr,
                          long rows, float *y, long ys);
#endif

/// A scratch buffer per thread for the compact rows, grown when a product needs more (then reused).
static _Thread_local uint8_t *scratch;
static _Thread_local long scratch_bytes;

static uint8_t *reserve(long bytes) {
    if (bytes > scratch_bytes) {
        uint8_t *grown = realloc(scratch, (size_t)bytes);
        if (!grown) return NULL;
        scratch = grown;
        scratch_bytes = bytes;
    }
    return scratch;
}

/// The `rows` rows of `xq` (braid_q8_quantize's layout) in compact form; false when memory ran out.
static int compact_rows(const uint8_t *xq, long rows, long blocks, kq_rows *out) {
    long per_row = 32 * blocks + 4 * blocks + 4 * blocks + 8 * blocks;
    uint8_t *base = reserve(rows * per_row);
    if (!base) return 0;
    int8_t *values = (int8_t *)base;
    float *dx = (float *)(void *)(base + rows * 32 * blocks);
    float *sums = dx + rows * blocks;
    int32_t *halves = (int32_t *)(void *)(sums + rows * blocks);
    for (long r0 = 0; r0 < rows;) {
        long group = q8_group_rows(rows - r0), record = q8_record_bytes(group), per_vector = 16 / group;
        for (long g = 0; g < blocks; g++) {
            const uint8_t *rec = xq + g * record;
            const float *ds = (const float *)(const void *)(rec + 64 * q8_vectors(group));
            for (long r = 0; r < group; r++) {
                int8_t *v = values + (r0 + r) * 32 * blocks + 32 * g;
                for (long j = 0; j < 8; j++) {
                    long lane = (j % per_vector) * group + r, vector = j / per_vector;
                    memcpy(v + 4 * j, rec + 64 * vector + 4 * lane, 4);
                }
                int32_t h0 = 0, h1 = 0;
                for (int k = 0; k < 16; k++) {
                    h0 += v[k];
                    h1 += v[16 + k];
                }
                halves[(r0 + r) * 2 * blocks + 2 * g] = h0;
                halves[(r0 + r) * 2 * blocks + 2 * g + 1] = h1;
                sums[(r0 + r) * blocks + g] = (float)(h0 + h1);
                dx[(r0 + r) * blocks + g] = ds[r];
            }
        }
        xq += blocks * record;
        r0 += group;
    }
    *out = (kq_rows){values, dx, sums, halves, blocks};
    return 1;
}

int braid_q8_kquants_supports(int type, long inputs) {
    return (type == T_Q4_K || type == T_Q6_K) && inputs > 0 && inputs % 256 == 0;
}

int braid_matvec_q8_kquants(int type, const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                            const uint8_t *xq, long rows, float *y, long ys, int kernel) {
    kq_rows all;
    if (!compact_rows(xq, rows, inputs / 32, &all)) return 0;
    for (long r0 = 0; r0 < rows; r0 += 16) {
        long n = rows - r0 < 16 ? rows - r0 : 16, b = all.blocks;
        kq_rows part = {all.values + r0 * 32 * b, all.dx + r0 * b, all.sums + r0 * b, all.halves + r0 * 2 * b, b};
        float *yp = y + r0 * ys;
        switch (kernel) {
#if defined(__x86_64__)
        case 2: braid_kq_matvec_vnni(type, w, row_bytes, o0, o1, &part, n, yp, ys); break;
        case 1: braid_kq_matvec_avx2(type, w, row_bytes, o0, o1, &part, n, yp, ys); break;
#endif
        default: kq_matvec_portable(type, w, row_bytes, o0, o1, &part, n, yp, ys); break;
        }
    }
    return 1;
}
