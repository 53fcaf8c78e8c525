// Multi-row dot products and dequantization over GGUF weight rows, one source compiled three
// times (baseline, AVX2+FMA, AVX-512) through function target attributes and chosen at run
// time — which keeps Package.swift free of unsafe compiler flags.
#include "braid_kernels.h"
#include "unpack.h"

#include <stdlib.h>

INLINE float sum16(f32x16 v) {
    f32x8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
        + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    f32x4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b[0] + b[2]) + (b[1] + b[3]);
}

// One weight row against R activation rows: each 32-element group is unpacked once into
// registers and used for all R rows; two accumulators per row keep the FMA chains short.
#define DEFINE_DOT(NAME, UNPACK, R)                                                           \
    INLINE void NAME(const uint8_t *row, long groups, const float *x, long xs, float *y,        \
                     long ys) {                                                                \
        f32x16 lo[R], hi[R];                                                                   \
        _Pragma("clang loop unroll(full)")                                                     \
        for (int r = 0; r < R; r++) lo[r] = hi[r] = (f32x16){0};                              \
        for (long g = 0; g < groups; g++) {                                                    \
            f32x16 a, b;                                                                       \
            UNPACK(row, g, &a, &b);                                                            \
            _Pragma("clang loop unroll(full)")                                                     \
            for (int r = 0; r < R; r++) {                                                      \
                const float *xr = x + r * xs + 32 * g;                                         \
                lo[r] += a * load_f32(xr);                                                     \
                hi[r] += b * load_f32(xr + 16);                                                \
            }                                                                                  \
        }                                                                                      \
        _Pragma("clang loop unroll(full)")                                                     \
        for (int r = 0; r < R; r++) y[r * ys] = sum16(lo[r] + hi[r]);                          \
    }

// `wide` (a constant in each instantiation) allows the 8-row form, whose 16 accumulators only
// fit where there are 32 vector registers (AVX-512). Every form sums in the same order, so a
// row's result does not depend on how many rows share the pass.
#define DEFINE_TYPE(T)                                                                        \
    DEFINE_DOT(dot1_##T, unpack_##T, 1)                                                       \
    DEFINE_DOT(dot2_##T, unpack_##T, 2)                                                       \
    DEFINE_DOT(dot4_##T, unpack_##T, 4)                                                       \
    DEFINE_DOT(dot8_##T, unpack_##T, 8)                                                       \
    INLINE void matvec_##T(const uint8_t *w, long row_bytes, long inputs, long o0, long o1,   \
                           const float *x, long xs, long rows, float *y, long ys, int wide) { \
        long groups = inputs / 32;                                                             \
        for (long o = o0; o < o1; o++) {                                                       \
            const uint8_t *row = w + o * row_bytes;                                            \
            long r = 0;                                                                        \
            if (wide) {                                                                        \
                for (; r + 8 <= rows; r += 8) dot8_##T(row, groups, x + r * xs, xs, y + r * ys + o, ys); \
            }                                                                                  \
            for (; r + 4 <= rows; r += 4) dot4_##T(row, groups, x + r * xs, xs, y + r * ys + o, ys); \
            for (; r + 2 <= rows; r += 2) dot2_##T(row, groups, x + r * xs, xs, y + r * ys + o, ys); \
            for (; r < rows; r++) dot1_##T(row, groups, x + r * xs, xs, y + r * ys + o, ys);   \
        }                                                                                      \
    }                                                                                          \
    INLINE void dequant_##T(const uint8_t *w, long row_bytes, long inputs, long o0, long o1,  \
                            float *dst) {                                                      \
        long groups = inputs / 32;                                                             \
        for (long o = o0; o < o1; o++) {                                                       \
            const uint8_t *row = w + o * row_bytes;                                            \
            float *out = dst + (o - o0) * inputs;                                              \
            for (long g = 0; g < groups; g++) {                                                \
                f32x16 a, b;                                                                   \
                unpack_##T(row, g, &a, &b);                                                    \
                store_f32(out + 32 * g, a);                                                    \
                store_f32(out + 32 * g + 16, b);                                               \
            }                                                                                  \
        }                                                                                      \
    }

DEFINE_TYPE(f32)
DEFINE_TYPE(f16)
DEFINE_TYPE(bf16)
DEFINE_TYPE(q4_0)
DEFINE_TYPE(q4_1)
DEFINE_TYPE(q5_0)
DEFINE_TYPE(q5_1)
DEFINE_TYPE(q8_0)
DEFINE_TYPE(q4_K)
DEFINE_TYPE(q5_K)
DEFINE_TYPE(q6_K)

#define CASES(MACRO)                                                                          \
    MACRO(T_F32, f32) MACRO(T_F16, f16) MACRO(T_BF16, bf16) MACRO(T_Q4_0, q4_0)               \
    MACRO(T_Q4_1, q4_1) MACRO(T_Q5_0, q5_0) MACRO(T_Q5_1, q5_1) MACRO(T_Q8_0, q8_0)           \
    MACRO(T_Q4_K, q4_K) MACRO(T_Q5_K, q5_K) MACRO(T_Q6_K, q6_K)

#define MATVEC_CASE(ID, T) case ID: matvec_##T(w, row_bytes, inputs, o0, o1, x, xs, rows, y, ys, WIDE); break;
#define DEQUANT_CASE(ID, T) case ID: dequant_##T(w, row_bytes, inputs, o0, o1, dst); break;

typedef void (*matvec_fn)(int, const uint8_t *, long, long, long, long, const float *, long, long, float *, long);
typedef void (*dequant_fn)(int, const uint8_t *, long, long, long, long, float *);

#define INSTANTIATE(SUFFIX, TARGET)                                                           \
    TARGET static void matvec_##SUFFIX(int type, const uint8_t *w, long row_bytes, long inputs, \
                                       long o0, long o1, const float *x, long xs, long rows,  \
                                       float *y, long ys) {                                   \
        switch (type) { CASES(MATVEC_CASE) default: break; }                                  \
    }                                                                                          \
    TARGET static void dequant_##SUFFIX(int type, const uint8_t *w, long row_bytes, long inputs, \
                                        long o0, long o1, float *dst) {                       \
        switch (type) { CASES(DEQUANT_CASE) default: break; }                                 \
    }

#define WIDE 0
INSTANTIATE(baseline, )
#if defined(__x86_64__)
INSTANTIATE(avx2, __attribute__((target("avx2,fma,f16c"))))
#undef WIDE
#define WIDE 1
INSTANTIATE(avx512, __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c"))))
#endif

static int available_isa(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

static int chosen_isa = -1;

static int current_isa(void) {
    int isa = __atomic_load_n(&chosen_isa, __ATOMIC_RELAXED);
    if (isa < 0) {
        // BRAID_KERNEL_ISA=0/1/2 caps the instruction set (to measure the portable path).
        const char *forced = getenv("BRAID_KERNEL_ISA");
        int limit = available_isa();
        isa = forced && forced[0] >= '0' && forced[0] <= '2' ? forced[0] - '0' : limit;
        if (isa > limit) isa = limit;
        __atomic_store_n(&chosen_isa, isa, __ATOMIC_RELAXED);
    }
    return isa;
}

int braid_kernel_isa(void) { return current_isa(); }

void braid_kernel_set_isa(int isa) {
    int limit = available_isa();
    __atomic_store_n(&chosen_isa, isa < 0 ? 0 : (isa > limit ? limit : isa), __ATOMIC_RELAXED);
}

int braid_kernel_supports(int type, long inputs) {
    switch (type) {
    case T_F32: case T_F16: case T_BF16: case T_Q4_0: case T_Q4_1: case T_Q5_0: case T_Q5_1:
    case T_Q8_0:
        return inputs > 0 && inputs % 32 == 0;
    case T_Q4_K: case T_Q5_K: case T_Q6_K:
        return inputs > 0 && inputs % 256 == 0;
    default:
        return 0;
    }
}

void braid_matvec(int type, const void *w, long row_bytes, long inputs, long o0, long o1,
                  const float *x, long xs, long rows, float *y, long ys) {
    switch (current_isa()) {
#if defined(__x86_64__)
    case 2: matvec_avx512(type, w, row_bytes, inputs, o0, o1, x, xs, rows, y, ys); return;
    case 1: matvec_avx2(type, w, row_bytes, inputs, o0, o1, x, xs, rows, y, ys); return;
#endif
    default: matvec_baseline(type, w, row_bytes, inputs, o0, o1, x, xs, rows, y, ys); return;
    }
}

void braid_dequantize_rows(int type, const void *w, long row_bytes, long inputs, long o0, long o1,
                           float *dst) {
    switch (current_isa()) {
#if defined(__x86_64__)
    case 2: dequant_avx512(type, w, row_bytes, inputs, o0, o1, dst); return;
    case 1: dequant_avx2(type, w, row_bytes, inputs, o0, o1, dst); return;
#endif
    default: dequant_baseline(type, w, row_bytes, inputs, o0, o1, dst); return;
    }
}
