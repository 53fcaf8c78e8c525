// Multi-row dot products and dequantization over GGUF weight rows, one source compiled three
// times (baseline, AVX2+FMA, AVX-512) through function target attributes and chosen at run
// time — which keeps Package.swift free of unsafe compiler flags. Q4_1 on AVX-512 has its own
// file (q4_1_avx512.c). The shape of the products is in matvec.h.
#include "braid_kernels.h"
#include "matvec.h"

#include <stdlib.h>

DEFINE_TYPE(f32)
DEFINE_TYPE(f16)
DEFINE_TYPE(bf16)
DEFINE_TYPE(q4_0)
DEFINE_TYPE(q4_1)
DEFINE_TYPE(q5_0)
DEFINE_TYPE(q5_1)
DEFINE_TYPE(q8_0)
DEFINE_TYPE_K(q4_K)
DEFINE_TYPE_K(q5_K)
DEFINE_TYPE_K(q6_K)

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

/// Q4_1 products with AVX-512 table lookups (q4_1_avx512.c).
void braid_q4_1_matvec_avx512(const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                              const float *x, long xs, long rows, float *y, long ys);
/// Q4_K products with AVX-512 table lookups (q4_K_avx512.c).
void braid_q4_K_matvec_avx512(const uint8_t *w, long row_bytes, long inputs, long o0, long o1,
                              const float *x, long xs, long rows, float *y, long ys);
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
/// A per-thread cap (tests): lets one test thread run every instruction set while other tests run
/// their products in parallel with the process-wide choice untouched.
static _Thread_local int thread_isa = -1;

static int current_isa(void) {
    if (thread_isa >= 0) return thread_isa;
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

void braid_kernel_set_thread_isa(int isa) {
    int limit = available_isa();
    thread_isa = isa < 0 ? -1 : (isa > limit ? limit : isa);
}

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
    case 2:
        if (type == T_Q4_1) braid_q4_1_matvec_avx512(w, row_bytes, inputs, o0, o1, x, xs, rows, y, ys);
        else if (type == T_Q4_K) braid_q4_K_matvec_avx512(w, row_bytes, inputs, o0, o1, x, xs, rows, y, ys);
        else matvec_avx512(type, w, row_bytes, inputs, o0, o1, x, xs, rows, y, ys);
        return;
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
