// The matrix products of one SmolLM2-135M decode step, on OpenBLAS, for 1–16 rows (threads decoding
// together): cblas_sgemm on all rows at once versus cblas_sgemv once per row. Weights are f32 like Braid's
// and laid out as 30 separate layers plus the output head (~540 MB), so they stream from memory as in a
// real step instead of sitting in cache. Built and run by blas-small-batch.sh; not part of `swift build`.
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { LAYERS = 30, EMBED = 576, QKV = 960, FFN = 1536, VOCAB = 49152, REPEATS = 5 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct { int outputs, inputs; float *w; } Matrix;

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// One step's products: y[rows, outputs] = x[rows, inputs] · wᵀ for every matrix, as Braid's Matmul does.
static double step(Matrix *m, int count, int rows, int gemv, float *x, float *y) {
    double start = now();
    for (int i = 0; i < count; i++) {
        if (gemv) {
            for (int r = 0; r < rows; r++)
                cblas_sgemv(CblasRowMajor, CblasNoTrans, m[i].outputs, m[i].inputs, 1, m[i].w, m[i].inputs,
                            x + (long)r * m[i].inputs, 1, 0, y + (long)r * m[i].outputs, 1);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, m[i].outputs, m[i].inputs, 1, x,
                        m[i].inputs, m[i].w, m[i].inputs, 0, y, m[i].outputs);
        }
    }
    return now() - start;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    openblas_set_num_threads(threads > 0 ? threads : 1);
    int count = LAYERS * 4 + 1;
    Matrix *m = calloc(count, sizeof(Matrix));
    long bytes = 0;
    for (int l = 0; l < LAYERS; l++) {
        m[4 * l + 0] = (Matrix){QKV, EMBED, NULL};
        m[4 * l + 1] = (Matrix){EMBED, EMBED, NULL};
        m[4 * l + 2] = (Matrix){2 * FFN, EMBED, NULL};
        m[4 * l + 3] = (Matrix){EMBED, FFN, NULL};
    }
    m[count - 1] = (Matrix){VOCAB, EMBED, NULL};
    for (int i = 0; i < count; i++) {
        long n = (long)m[i].outputs * m[i].inputs;
        m[i].w = malloc(n * sizeof(float));
        if (!m[i].w) { fprintf(stderr, "out of memory\n"); return 1; }
        for (long k = 0; k < n; k++) m[i].w[k] = (float)((k * 2654435761u) % 1000) * 1e-3f - 0.5f;
        bytes += n * sizeof(float);
    }
    float *x = malloc(16L * VOCAB * sizeof(float)), *y = malloc(16L * VOCAB * sizeof(float));
    for (long k = 0; k < 16L * VOCAB; k++) x[k] = 0.01f * (float)(k % 13);
    printf("weights %.0f MB f32, OpenBLAS threads %d, median of %d steps\n\n", bytes / 1e6, threads, REPEATS);
    printf("| rows | sgemm ms/step | sgemv per row ms/step | sgemm GB/s of weights |\n|---|---|---|---|\n");
    int rows[] = {1, 2, 3, 4, 6, 8, 12, 16};
    step(m, count, 1, 1, x, y);  // touch every page once
    for (int r = 0; r < (int)(sizeof rows / sizeof *rows); r++) {
        double a[REPEATS], b[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            a[i] = step(m, count, rows[r], 0, x, y);
            b[i] = step(m, count, rows[r], 1, x, y);
        }
        qsort(a, REPEATS, sizeof(double), compare);
        qsort(b, REPEATS, sizeof(double), compare);
        printf("| %d | %.1f | %.1f | %.1f |\n", rows[r], a[REPEATS / 2] * 1e3, b[REPEATS / 2] * 1e3,
               bytes / a[REPEATS / 2] / 1e9);
    }
    return 0;
}
