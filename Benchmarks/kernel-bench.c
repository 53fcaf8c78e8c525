// Times one matrix-vector product of CBraidKernels on random blocks, for 1, 2, 4, 8 and 16
// activation rows: thread CPU time per call (best of 7 runs of REPS calls) and per weight, so
// that kernel changes can be compared in seconds, without a Swift build, even on a loaded machine.
// For Q4_1, Q8_0, Q4_K and Q6_K a second line times the opt-in 8-bit activation mode (`q8`: the rows quantized
// once, then the integer kernels), quantization included, and gives its largest difference from the
// exact (f32) product relative to the largest exact output.
//
//   clang -O2 -w -ISources/CBraidKernels/include Sources/CBraidKernels/*.c Benchmarks/kernel-bench.c \
//       -lpthread -o /tmp/kernel-bench
//   /tmp/kernel-bench TYPE OUTPUTS INPUTS REPS [ROWS]
//   /tmp/kernel-bench 3 1536 576 200        # Q4_1 (GGML type 3), SmolLM2's FFN gate
//   /tmp/kernel-bench 8 49152 576 5 1       # Q8_0 (type 8), SmolLM2's output head, one row
//   COPIES=300 CHUNK=64 /tmp/kernel-bench 3 960 576 300 1   # q8 fed from memory, in 64-row chunks (see `copies`)
//
// Types: 3 Q4_1, 8 Q8_0, 12 Q4_K, 14 Q6_K. The checksum lets two builds be compared for equal results.
#include "braid_kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static unsigned long long state = 88172645463325252ULL;
static unsigned next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)state;
}

static void put_half(unsigned char *p, float f) {
    _Float16 h = (_Float16)f;
    memcpy(p, &h, 2);
}

static long row_bytes(int type, long inputs) {
    switch (type) {
    case 3: return inputs / 32 * 20;
    case 8: return inputs / 32 * 34;
    case 12: return inputs / 256 * 144;
    case 14: return inputs / 256 * 210;
    default: return 0;
    }
}

/// Random quantized values with small, plausible scales.
static void fill(int type, unsigned char *w, long rows, long inputs, long bytes) {
    for (long o = 0; o < rows; o++) {
        unsigned char *r = w + o * bytes;
        for (long i = 0; i < bytes; i++) r[i] = (unsigned char)next();
        for (long g = 0; g < inputs / 32; g++) {
            if (type == 3) {
                put_half(r + 20 * g, 0.0001f * (float)(1 + next() % 100));
                put_half(r + 20 * g + 2, -0.0008f * (float)(next() % 100));
            } else if (type == 8) {
                put_half(r + 34 * g, 0.00001f * (float)(1 + next() % 100));
            }
        }
        for (long s = 0; s < inputs / 256; s++) {
            if (type == 12) {
                put_half(r + 144 * s, 0.001f);
                put_half(r + 144 * s + 2, 0.0005f);
            } else if (type == 14) {
                put_half(r + 210 * s + 208, 0.0001f);
            }
        }
    }
}

/// The q8 mode for `rows` rows: quantize once per pass, then the integer kernels.
/// COPIES: the q8 timing cycles through this many copies of the matrix (enough to exceed the caches, so the
/// weights come from memory as in a model's forward pass). CHUNK: it multiplies chunks of this many weight rows,
/// every second chunk first and then the others, as one of two threads claiming chunks round-robin would.
static long copies = 1, chunk = 1L << 40;
static void time_q8(int type, const unsigned char *w, long bytes, long inputs, long outputs, const float *x,
                    long rows, int reps, const float *exact) {
    long size = (braid_q8_buffer_bytes(rows, inputs) + 63) / 64 * 64;
    void *xq = aligned_alloc(64, (size_t)size);
    float *y = malloc(sizeof(float) * (size_t)(rows * outputs));
    if (!xq || !y) exit(1);
    double best = 1e9;
    for (int run = 0; run < 7; run++) {
        double t0 = cpu_seconds();
        for (int i = 0; i < reps; i++) {
            braid_q8_quantize(x, inputs, rows, inputs, braid_q8_reads_kquant_form(type, inputs), xq);
            const unsigned char *wc = w + (size_t)(i % copies) * (size_t)(outputs * bytes);
            for (int parity = 0; parity < 2; parity++)
                for (long c0 = parity * chunk; c0 < outputs; c0 += 2 * chunk)
                    braid_matvec_q8(type, wc, bytes, inputs, c0, c0 + chunk < outputs ? c0 + chunk : outputs, xq, rows, y, outputs);
        }
        double t = (cpu_seconds() - t0) / reps;
        if (t < best) best = t;
    }
    double largest = 0, diff = 0, checksum = 0;
    for (long i = 0; i < rows * outputs; i++) {
        checksum += y[i] * (double)(1 + i % 7);
        double e = exact[i] < 0 ? -exact[i] : exact[i], d = y[i] - exact[i];
        if (e > largest) largest = e;
        if (d < 0) d = -d;
        if (d > diff) diff = d;
    }
    printf("type %d %ldx%ld rows %2ld q8:  %9.1f us  %.3f ns per weight per pass  max diff %.2e of max %.2e (kernel %d)  checksum %.9e\n",
           type, outputs, inputs, rows, best * 1e6, best * 1e9 / (double)(outputs * inputs), diff, largest,
           braid_q8_kernel(), checksum);
    free(xq);
    free(y);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s TYPE OUTPUTS INPUTS REPS [ROWS]\n", argv[0]);
        return 2;
    }
    int type = atoi(argv[1]);
    long outputs = atol(argv[2]), inputs = atol(argv[3]);
    int reps = atoi(argv[4]);
    long bytes = row_bytes(type, inputs);
    if (bytes == 0 || !braid_kernel_supports(type, inputs) || outputs <= 0 || reps <= 0) {
        fprintf(stderr, "kernel-bench: unsupported type %d or shape %ld x %ld\n", type, outputs, inputs);
        return 2;
    }
    if (getenv("COPIES")) copies = atol(getenv("COPIES"));
    if (getenv("CHUNK")) chunk = atol(getenv("CHUNK"));
    unsigned char *w = malloc((size_t)(outputs * bytes) * (size_t)copies);
    float *x = malloc(sizeof(float) * 16 * (size_t)inputs), *y = malloc(sizeof(float) * 16 * (size_t)outputs);
    if (!w || !x || !y) return 1;
    fill(type, w, outputs, inputs, bytes);
    for (long c = 1; c < copies; c++) memcpy(w + (size_t)c * (size_t)(outputs * bytes), w, (size_t)(outputs * bytes));
    for (long i = 0; i < 16 * inputs; i++) x[i] = (float)((int)(next() % 2001) - 1000) / 1000.0f;
    int counts[] = {1, 2, 4, 8, 16}, n = 5;
    if (argc > 5) {
        counts[0] = atoi(argv[5]);
        n = 1;
    }
    printf("instruction set %d (0 baseline, 1 AVX2, 2 AVX-512)\n", braid_kernel_isa());
    for (int k = 0; k < n; k++) {
        long rows = counts[k];
        if (rows < 1 || rows > 16) continue;
        braid_matvec(type, w, bytes, inputs, 0, outputs, x, inputs, rows, y, outputs);
        double best = 1e9;
        for (int run = 0; run < 7; run++) {
            double t0 = cpu_seconds();
            for (int i = 0; i < reps; i++) braid_matvec(type, w, bytes, inputs, 0, outputs, x, inputs, rows, y, outputs);
            double t = (cpu_seconds() - t0) / reps;
            if (t < best) best = t;
        }
        double checksum = 0;
        for (long i = 0; i < rows * outputs; i++) checksum += y[i] * (double)(1 + i % 7);
        printf("type %d %ldx%ld rows %2ld f32: %9.1f us  %.3f ns per weight per pass  checksum %.9e\n",
               type, outputs, inputs, rows, best * 1e6, best * 1e9 / (double)(outputs * inputs), checksum);
        if (braid_q8_supports(type, inputs)) time_q8(type, w, bytes, inputs, outputs, x, rows, reps, y);
    }
    free(w);
    free(x);
    free(y);
    return 0;
}
