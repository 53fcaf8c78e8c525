// Which execution pipes the 16-row q8 kernel's instructions share, on this CPU: throughput of independent
// 512-bit instructions alone and in pairs, in core cycles. It sets the floor of a 16-row product: if two
// instructions share pipes, a group of 8 + 8 costs the sum of their times; if not, the larger.
//
//   clang -O2 Benchmarks/pipe-bench.c -o /tmp/pipe-bench && /tmp/pipe-bench
//
// x86-64 with AVX-512 VNNI only (it runs the instructions directly, without checking the CPU). The clock is
// taken from a chain of dependent 64-bit `imul`s, whose latency is 3 cycles on every recent x86 core.
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define REP8(x) x x x x x x x x
/// Eight independent instructions `op` writing zmm0–7 (A) or zmm8–15 (B) from two fixed sources.
#define OPS_A(op) op " %%zmm30,%%zmm31,%%zmm0\n\t" op " %%zmm30,%%zmm31,%%zmm1\n\t" op " %%zmm30,%%zmm31,%%zmm2\n\t" \
    op " %%zmm30,%%zmm31,%%zmm3\n\t" op " %%zmm30,%%zmm31,%%zmm4\n\t" op " %%zmm30,%%zmm31,%%zmm5\n\t"               \
    op " %%zmm30,%%zmm31,%%zmm6\n\t" op " %%zmm30,%%zmm31,%%zmm7\n\t"
#define OPS_B(op) op " %%zmm28,%%zmm29,%%zmm8\n\t" op " %%zmm28,%%zmm29,%%zmm9\n\t" op " %%zmm28,%%zmm29,%%zmm10\n\t" \
    op " %%zmm28,%%zmm29,%%zmm11\n\t" op " %%zmm28,%%zmm29,%%zmm12\n\t" op " %%zmm28,%%zmm29,%%zmm13\n\t"            \
    op " %%zmm28,%%zmm29,%%zmm14\n\t" op " %%zmm28,%%zmm29,%%zmm15\n\t"
#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", \
    "xmm12", "xmm13", "xmm14", "xmm15"

enum { LOOPS = 10000000 };

/// Cycles of one group (the asm body runs eight times a loop).
#define TIME_GROUP(label, body)                                                          \
    do {                                                                                 \
        double t0 = now();                                                               \
        for (long i = 0; i < LOOPS; i++) __asm__ volatile(REP8(body)::: CLOBBERS);       \
        printf("%-34s %6.2f cycles\n", label, (now() - t0) / (LOOPS * 8.0) / cycle);    \
    } while (0)

int main(void) {
    long v = 3;
    double t0 = now();
    for (long i = 0; i < LOOPS; i++) __asm__ volatile(REP8("imul %0, %0\n\t") : "+r"(v));
    double cycle = (now() - t0) / (LOOPS * 8.0) / 3.0;
    printf("clock %.2f GHz; cycles per group of independent 512-bit instructions\n", 1e-9 / cycle);
    TIME_GROUP("8 vpdpbusd", OPS_A("vpdpbusd"));
    TIME_GROUP("8 vfmadd231ps", OPS_A("vfmadd231ps"));
    TIME_GROUP("8 vpmaddubsw", OPS_A("vpmaddubsw"));
    TIME_GROUP("8 vpdpbusd + 8 vfmadd231ps", OPS_A("vpdpbusd") OPS_B("vfmadd231ps"));
    TIME_GROUP("8 vpdpbusd + 8 vmulps", OPS_A("vpdpbusd") OPS_B("vmulps"));
    TIME_GROUP("8 vpdpbusd + 8 vpmaddubsw", OPS_A("vpdpbusd") OPS_B("vpmaddubsw"));
    TIME_GROUP("8 vpdpbusd + 8 vaddps", OPS_A("vpdpbusd") OPS_B("vaddps"));
    TIME_GROUP("8 vpdpbusd + 8 vpaddd", OPS_A("vpdpbusd") OPS_B("vpaddd"));
    TIME_GROUP("8 vpdpbusd + 8 vpandq", OPS_A("vpdpbusd") OPS_B("vpandq"));
    TIME_GROUP("8 vpdpbusd + 8 vpsrlvw", OPS_A("vpdpbusd") OPS_B("vpsrlvw"));
    TIME_GROUP("8 vpdpbusd + 8 vpermd", OPS_A("vpdpbusd") OPS_B("vpermd"));
    TIME_GROUP("8 vpdpbusd + 8 vpermw", OPS_A("vpdpbusd") OPS_B("vpermw"));
    return (int)(v & 1);
}
