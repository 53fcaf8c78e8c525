// A small worker pool for the matrix work of one forward step.
//
// Why not OpenBLAS's threads or Dispatch: a decode step is ~120 jobs of tens of microseconds,
// so waking threads per job must cost far less than that; OpenBLAS's threads spin between
// calls and fight other work on a small machine. Here workers spin briefly after a job (the
// next one usually follows within microseconds), then sleep on a condition variable.
//
// A job's chunks are cut into one contiguous lane per thread: thread t takes the chunks of lane t
// in order, then helps the other lanes. Consecutive chunks are consecutive weight rows, so each
// thread reads one stream front to back, and the kernels' prefetching runs on into its next chunk;
// handing chunks out round-robin made every chunk start on cold memory (a one-stream SmolLM2 step
// took about a fifth longer). A late thread still holds up little: the others finish its lane.
//
// Each lane is a 64-bit word (generation << 32 | next chunk), claimed by compare-and-swap; the
// pool's `state` word carries the generation alone and announces a job. A worker only runs a chunk
// if the lane word still carries the generation it read the job under, so a worker that wakes late
// can never run a chunk of a finished or newer job. Job descriptions alternate between two slots;
// the slot of generation g is only rewritten for generation g + 2, after every chunk of g + 1 has
// been claimed and finished.
#include "braid_kernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#if defined(__x86_64__)
#define RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define RELAX() __asm__ __volatile__("yield")
#else
#define RELAX() ((void)0)
#endif

/// Pauses a waiting thread spins before it sleeps (workers) or yields (the caller): a few
/// microseconds by default; BRAID_POOL_SPIN overrides it (0 sleeps at once). Measured on the
/// shared 2-core machine at load 7 (1-stream step, 2 threads): 35 ms with 0, 41 ms with 2000,
/// 54 ms with 20000 — spinning costs most when other processes want the cores.
static long spin_limit(void) {
    static long limit = -1;
    if (limit < 0) {
        const char *text = getenv("BRAID_POOL_SPIN");
        long value = text ? strtol(text, NULL, 10) : 2000;
        limit = value < 0 ? 0 : value;
    }
    return limit;
}

struct job {
    _Atomic(braid_pool_task) task;
    _Atomic(void *) context;
    atomic_long chunks;
    atomic_long done;
};

struct worker_start {
    braid_pool *pool;
    int index;
};

/// One thread's lane, on its own cache line.
struct lane {
    _Alignas(64) _Atomic uint64_t word;
};

struct braid_pool {
    int threads;
    struct lane *lanes;
    pthread_t *handles;
    struct worker_start *starts;
    _Atomic uint64_t state;
    struct job jobs[2];
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    atomic_int sleepers;
    atomic_int stop;
};

static uint32_t generation_of(uint64_t state) { return (uint32_t)(state >> 32); }

/// The first chunk of lane `t` when `chunks` are cut into `lanes` lanes.
static long lane_start(long chunks, int lanes, int t) { return chunks * t / lanes; }

/// Claims and runs the chunks of lane `t` of generation `gen`; false once the job has moved on.
static int work_lane(braid_pool *pool, uint32_t gen, int t, long end, braid_pool_task task, void *context,
                     struct job *job, int worker) {
    _Atomic uint64_t *word = &pool->lanes[t].word;
    for (;;) {
        uint64_t s = atomic_load(word);
        if (generation_of(s) != gen) return 0;
        long chunk = (long)(s & 0xffffffffu);
        if (chunk >= end) return 1;
        if (atomic_compare_exchange_weak(word, &s, s + 1)) {
            task(context, chunk, worker);
            atomic_fetch_add(&job->done, 1);
        }
    }
}

/// Runs chunks of generation `gen`: the worker's own lane, then the others', until none are left or
/// the job has moved on.
static void work(braid_pool *pool, uint32_t gen, int worker) {
    struct job *job = &pool->jobs[gen & 1];
    braid_pool_task task = atomic_load(&job->task);
    void *context = atomic_load(&job->context);
    long chunks = atomic_load(&job->chunks);
    int lanes = pool->threads;
    for (int i = 0; i < lanes; i++) {
        int t = (worker + i) % lanes;
        if (!work_lane(pool, gen, t, lane_start(chunks, lanes, t + 1), task, context, job, worker)) return;
    }
}

static void *worker_main(void *argument) {
    struct worker_start *start = argument;
    braid_pool *pool = start->pool;
    uint32_t seen = generation_of(atomic_load(&pool->state));
    for (;;) {
        long spins = 0, limit = spin_limit();
        uint64_t s;
        while (generation_of(s = atomic_load(&pool->state)) == seen) {
            if (atomic_load(&pool->stop)) return NULL;
            if (++spins < limit) {
                RELAX();
                continue;
            }
            pthread_mutex_lock(&pool->mutex);
            atomic_fetch_add(&pool->sleepers, 1);
            while (generation_of(atomic_load(&pool->state)) == seen && !atomic_load(&pool->stop))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            atomic_fetch_sub(&pool->sleepers, 1);
            pthread_mutex_unlock(&pool->mutex);
            spins = 0;
        }
        seen = generation_of(s);
        work(pool, seen, start->index);
    }
}

braid_pool *braid_pool_create(int threads) {
    braid_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->threads = threads < 1 ? 1 : threads;
    pool->lanes = aligned_alloc(64, sizeof(struct lane) * (size_t)pool->threads);
    if (!pool->lanes) {
        free(pool);
        return NULL;
    }
    for (int t = 0; t < pool->threads; t++) atomic_init(&pool->lanes[t].word, 0);
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    int workers = pool->threads - 1;
    if (workers > 0) {
        pool->handles = calloc((size_t)workers, sizeof *pool->handles);
        pool->starts = calloc((size_t)workers, sizeof *pool->starts);
        if (!pool->handles || !pool->starts) workers = 0;
    }
    int started = 0;
    for (int i = 0; i < workers; i++) {
        pool->starts[i] = (struct worker_start){pool, i + 1};
        if (pthread_create(&pool->handles[i], NULL, worker_main, &pool->starts[i]) != 0) break;
        started++;
    }
    pool->threads = started + 1;
    return pool;
}

void braid_pool_destroy(braid_pool *pool) {
    if (!pool) return;
    atomic_store(&pool->stop, 1);
    pthread_mutex_lock(&pool->mutex);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    for (int i = 0; i < pool->threads - 1; i++) pthread_join(pool->handles[i], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    free(pool->handles);
    free(pool->starts);
    free(pool->lanes);
    free(pool);
}

void braid_pool_run(braid_pool *pool, braid_pool_task task, void *context, long chunks) {
    if (chunks <= 0) return;
    if (!pool || pool->threads == 1 || chunks == 1) {
        for (long c = 0; c < chunks; c++) task(context, c, 0);
        return;
    }
    uint32_t gen = generation_of(atomic_load(&pool->state)) + 1;
    struct job *job = &pool->jobs[gen & 1];
    atomic_store(&job->task, task);
    atomic_store(&job->context, context);
    atomic_store(&job->chunks, chunks);
    atomic_store(&job->done, 0);
    // Lanes before the announcement: a worker that sees generation gen finds its lanes ready. Only
    // the threads that started have lanes (pool->threads counts them).
    for (int t = 0; t < pool->threads; t++)
        atomic_store(&pool->lanes[t].word, (uint64_t)gen << 32 | (uint64_t)lane_start(chunks, pool->threads, t));
    atomic_store(&pool->state, (uint64_t)gen << 32);
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
    work(pool, gen, 0);
    long spins = 0, limit = spin_limit();
    while (atomic_load(&job->done) < chunks) {
        if (++spins < limit) RELAX();
        else sched_yield();
    }
}
