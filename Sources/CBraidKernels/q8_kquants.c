// The q8 activation mode for K-quant weights (Q4_K, Q6_K): the portable kernel of q8_kquants.h and the
// choice of instruction set (q8_kquants_avx2.c, q8_kquants_vnni.c). The quantizer has already written the
// rows in the compact form the kernels read (q8_layout.h).
#include "braid_kernels.h"

#include <stdint.h>
#include <string.h>
typedef int16_t i16x32p __attribute__((vector_size(64)));
typedef int16_t i16x16p __attribute__((vector_size(32)));
typedef int32_t i32x16p __attribute__((vector_size(64)));
typedef int32_t i32x8p __attribute__((vector_size(32)));

/// `vpmaddubsw` in plain C (no pair of weights ≤ 63 and activations ≥ −127 comes near saturation).
static inline __attribute__((always_inline)) i16x32p kq_pairs_portable(i32x16p w, i32x16p x) {
    uint8_t wb[64];
    int8_t xb[64];
    int16_t out[32];
    memcpy(wb, &w, 64);
    memcpy(xb, &x, 64);
    for (int l = 0; l < 32; l++) out[l] = (int16_t)(wb[2 * l] * xb[2 * l] + wb[2 * l + 1] * xb[2 * l + 1]);
    i16x32p v;
    memcpy(&v, out, 64);
    return v;
}

/// `vpdpwssd` in plain C.
static inline __attribute__((always_inline)) i32x16p kq_scaled_portable(i32x16p acc, i16x32p p, i16x32p s) {
    for (int l = 0; l < 16; l++) acc[l] += (int32_t)p[2 * l] * s[2 * l] + (int32_t)p[2 * l + 1] * s[2 * l + 1];
    return acc;
}

/// `vpmaddwd` (256 bits) in plain C.
static inline __attribute__((always_inline)) i32x8p kq_madd_portable(i16x16p a, i16x16p b) {
    i32x8p out;
    for (int l = 0; l < 8; l++) out[l] = (int32_t)a[2 * l] * b[2 * l] + (int32_t)a[2 * l + 1] * b[2 * l + 1];
    return out;
}

#define KQ_PAIRS(w, x) kq_pairs_portable((w), (x))
#define KQ_SCALED(a, p, s) kq_scaled_portable((a), (p), (s))
#define KQ_MADD(a, b) kq_madd_portable((a), (b))
#include "q8_kquants.h"

DEFINE_KQ_ENTRY(kq_matvec_portable)

#if defined(__x86_64__)
void braid_kq_matvec_vnni(int type, const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr,
                          long rows, float *y, long ys);
void braid_kq_matvec_avx2(int type, const uint8_t *w, long row_bytes, long o0, long o1, const kq_rows *xr,
                          long rows, float *y, long ys);
#endif

int braid_q8_kquants_supports(int type, long inputs) {
    return (type == T_Q4_K || type == T_Q6_K) && inputs > 0 && inputs % 256 == 0;
}

void braid_matvec_q8_kquants(int type, const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                             const uint8_t *xq, long rows, float *y, long ys, int kernel) {
    long supers = inputs / 256;
    q8_compact all = q8_compact_at((uint8_t *)xq + q8_compact_offset(rows, inputs), rows, supers);
    for (long r0 = 0; r0 < rows; r0 += 16) {
        long n = rows - r0 < 16 ? rows - r0 : 16;
        q8_compact first = q8_compact_row(all, r0, supers);
        kq_rows part = {first.values, first.paired, first.d, first.halves, supers};
        float *yp = y + r0 * ys;
        switch (kernel) {
#if defined(__x86_64__)
        case 2: braid_kq_matvec_vnni(type, w, row_bytes, o0, o1, &part, n, yp, ys); break;
        case 1: braid_kq_matvec_avx2(type, w, row_bytes, o0, o1, &part, n, yp, ys); break;
#endif
        default: kq_matvec_portable(type, w, row_bytes, o0, o1, &part, n, yp, ys); break;
        }
    }
}
