// The q8 activation mode for K-quant weights (Q4_K, Q6_K): the portable kernel of q8_kquants.h and the
// choice of instruction set (q8_kquants_avx2.c, q8_kquants_vnni.c). The quantizer has already written the
// rows in the compact form the kernels read (q8_layout.h).
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
    long b = inputs / 32;
    q8_compact all = q8_compact_at((uint8_t *)xq + q8_compact_offset(rows, inputs), rows, b);
    for (long r0 = 0; r0 < rows; r0 += 16) {
        long n = rows - r0 < 16 ? rows - r0 : 16;
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
}
