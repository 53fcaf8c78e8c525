// The opt-in 8-bit activation mode: activation rows quantized per 32-element block (as ggml's
// Q8_0/Q8_1: d = max|x| / 127, q = x · (1/d) rounded to nearest, ties to even) into the layout of
// q8_layout.h, the portable integer kernel, and the choice of instruction set for the vector ones (q8_vnni.c, q8_avx2.c).
// The integer dot product of a block is exact in every form; only the f32 scaling and the order of
// the f32 sum over blocks may differ between instruction sets (FMA or not).
#include "braid_kernels.h"
#include "q8_quantize.h"

#include <math.h>
#include <stdlib.h>

long braid_q8_buffer_bytes(long rows, long inputs) { return q8_total_bytes(rows, inputs); }

/// The K-quant kernels (q8_kquants.c).
int braid_q8_kquants_supports(int type, long inputs);
void braid_matvec_q8_kquants(int type, const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                             const uint8_t *xq, long rows, float *y, long ys, int kernel);

int braid_q8_reads_kquant_form(int type, long inputs) { return braid_q8_kquants_supports(type, inputs); }

int braid_q8_supports(int type, long inputs) {
    return ((type == T_Q4_1 || type == T_Q8_0) && inputs > 0 && inputs % 32 == 0)
        || braid_q8_kquants_supports(type, inputs);
}

/// Row r's quantized value k of a block record (the inverse of quantize_row's placement).
static int8_t q8_value(const uint8_t *rec, long group, long r, int k) {
    long j = k / 4, per_vector = 16 / group;
    long lane = (j % per_vector) * group + r, vector = j / per_vector;
    return (int8_t)rec[64 * vector + 4 * lane + k % 4];
}

/// Weight block g of a row as 32 integers and its scale (and min, Q4_1).
static void weight_block(int type, const uint8_t *row, long g, int32_t q[32], float *d, float *m) {
    if (type == T_Q4_1) {
        const uint8_t *b = row + 20 * g;
        *d = half(b);
        *m = half(b + 2);
        for (int k = 0; k < 16; k++) {
            q[k] = b[4 + k] & 15;
            q[k + 16] = b[4 + k] >> 4;
        }
    } else {
        const uint8_t *b = row + 34 * g;
        *d = half(b);
        *m = 0;
        for (int k = 0; k < 32; k++) q[k] = (int8_t)b[2 + k];
    }
}

/// The portable kernel: exact integer dot products per block, then the f32 formula the vector
/// kernels use, d_x · (d_w · Σ q_w q_x + m_w · Σ q_x), summed over blocks in order.
static void matvec_q8_scalar(int type, const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                             const uint8_t *xq, long rows, float *y, long ys) {
    long blocks = inputs / 32;
    for (long r0 = 0; r0 < rows;) {
        long group = q8_group_rows(rows - r0), real = q8_group_real(group, rows - r0), record = q8_record_bytes(group);
        for (long o = o0; o < o1; o++) {
            float acc[16] = {0};
            for (long g = 0; g < blocks; g++) {
                int32_t q[32];
                float dw, m;
                weight_block(type, w + o * row_bytes, g, q, &dw, &m);
                const uint8_t *rec = xq + g * record;
                const float *ds = (const float *)(const void *)(rec + 64 * q8_vectors(group));
                for (long r = 0; r < real; r++) {
                    int32_t dot = 0;
                    for (int k = 0; k < 32; k++) dot += q[k] * q8_value(rec, group, r, k);
                    float t = (float)dot * dw;
                    if (type == T_Q4_1) t += m * ds[16 + r];
                    acc[r] += t * ds[r];
                }
            }
            for (long r = 0; r < real; r++) y[(r0 + r) * ys + o] = acc[r];
        }
        xq += blocks * record;
        r0 += group;
    }
}

#if defined(__x86_64__)
void braid_matvec_q8_vnni(int type, const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                          const uint8_t *xq, long rows, float *y, long ys);
void braid_matvec_q8_avx2(int type, const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                          const uint8_t *xq, long rows, float *y, long ys);

void braid_q8_quantize_avx512(const float *x, long xs, long rows, long inputs, int kquants, void *buffer, long part,
                              long parts);
void braid_q8_quantize_avx2(const float *x, long xs, long rows, long inputs, int kquants, void *buffer, long part,
                            long parts);

static int has_vnni(void) {
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("avx512vnni") ? 1 : 0;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}
#endif

int braid_q8_kernel(void) {
    int isa = braid_kernel_isa();
#if defined(__x86_64__)
    if (isa >= 2 && has_vnni()) return 2;
    if (isa >= 1) return 1;
#endif
    return 0;
}

void braid_q8_quantize_part(const float *x, long xs, long rows, long inputs, int kquants, void *buffer, long part,
                            long parts) {
    if (parts < 1 || part < 0 || part >= parts) return;
    switch (braid_q8_kernel()) {
#if defined(__x86_64__)
    case 2: braid_q8_quantize_avx512(x, xs, rows, inputs, kquants, buffer, part, parts); return;
    case 1: braid_q8_quantize_avx2(x, xs, rows, inputs, kquants, buffer, part, parts); return;
#endif
    default: q8_quantize(x, xs, rows, inputs, kquants, buffer, part, parts); return;
    }
}

void braid_q8_quantize(const float *x, long xs, long rows, long inputs, int kquants, void *buffer) {
    braid_q8_quantize_part(x, xs, rows, inputs, kquants, buffer, 0, 1);
}

void braid_matvec_q8(int type, const void *w, long row_bytes, long inputs, long o0, long o1,
                     const void *xq, long rows, float *y, long ys) {
    if (braid_q8_kquants_supports(type, inputs)) {
        braid_matvec_q8_kquants(type, w, row_bytes, inputs, o0, o1, xq, rows, y, ys, braid_q8_kernel());
        return;
    }
    switch (braid_q8_kernel()) {
#if defined(__x86_64__)
    case 2: braid_matvec_q8_vnni(type, w, row_bytes, inputs, o0, o1, xq, rows, y, ys); return;
    case 1: braid_matvec_q8_avx2(type, w, row_bytes, inputs, o0, o1, xq, rows, y, ys); return;
#endif
    default: matvec_q8_scalar(type, w, row_bytes, inputs, o0, o1, xq, rows, y, ys); return;
    }
}
