/*
 * libfam's atomics and spinlock under contention on the host, where
 * cores really run at once: 8 threads on one process's memory, then 4
 * processes on one file mapped with fam_map_file (as nodes share an LFS
 * file). The totals must be exact: 64- and 32-bit fetch-adds; a plain,
 * non-atomic counter under the spinlock; 32-, 64- and 128-bit
 * compare_store advances, each compare_store result checked to be a
 * value the word really held ({n, ~n} for the 128-bit pair, which a
 * torn read or write would break).
 */
#define _POSIX_C_SOURCE 200809L

#include <glib.h>
#include <glib/gstdio.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fame/libfam.h"

#define THREADS 8
#define PROCS 4
#define ADDS 100000
#define LOCKED 20000
#define CAS 20000

/* One cache line each, the way libfam wants atomics placed. */
struct shared {
    _Alignas(64) int64_t arrived;   /* the start barrier */
    _Alignas(64) int64_t add64;
    _Alignas(64) int32_t add32;
    _Alignas(64) struct fam_spinlock lock;
    _Alignas(64) int64_t plain;     /* only touched under the lock */
    _Alignas(64) int32_t cas32;
    _Alignas(64) int64_t cas64;
    _Alignas(64) int64_t pair[2];
};

/*
 * Wait until all `workers` arrived: otherwise the first thread may be
 * done before the last one starts, and nothing races.
 */
static void start_together(struct shared *s, int64_t workers)
{
    fam_atomic_64_fetch_add(&s->arrived, 1);
    while (fam_atomic_64_read(&s->arrived) < workers) {
        sched_yield();
    }
}

/*
 * The critical section: a read, a pause that widens the window in which
 * an unprotected increment gets lost, then the write.
 */
static void locked_increment(struct shared *s)
{
    int64_t v = *(volatile int64_t *)&s->plain;

    for (int k = 0; k < 8; k++) {
        __builtin_ia32_pause();
    }
    *(volatile int64_t *)&s->plain = v + 1;
}

/* 0 when all went well, else the number of the first check that failed. */
static int worker(struct shared *s, int64_t workers)
{
    start_together(s, workers);
    for (int i = 0; i < ADDS; i++) {
        fam_atomic_64_fetch_add(&s->add64, 1);
        fam_atomic_32_fetch_add(&s->add32, 1);
    }
    for (int i = 0; i < LOCKED; i++) {
        fam_spin_lock(&s->lock);
        locked_increment(s);
        fam_spin_unlock(&s->lock);
    }
    for (int done = 0, seen = fam_atomic_32_read(&s->cas32); done < CAS;) {
        int32_t was = fam_atomic_32_compare_store(&s->cas32, seen, seen + 1);

        if (was == seen) {
            done++;
            seen++;
        } else if (was < seen) {
            return 1;                       /* went backwards */
        } else {
            seen = was;
        }
    }
    for (int64_t done = 0, seen = fam_atomic_64_read(&s->cas64); done < CAS;) {
        int64_t was = fam_atomic_64_compare_store(&s->cas64, seen, seen + 1);

        if (was == seen) {
            done++;
            seen++;
        } else if (was < seen) {
            return 2;
        } else {
            seen = was;
        }
    }
    int64_t seen[2];

    fam_atomic_128_read(s->pair, seen);
    for (int done = 0; done < CAS;) {
        int64_t next[2] = { seen[0] + 1, ~(seen[0] + 1) }, was[2];

        fam_atomic_128_compare_store(s->pair, seen, next, was);
        if (was[1] != ~was[0] || was[0] < seen[0]) {
            return 3;                       /* torn, or went backwards */
        }
        if (was[0] == seen[0]) {
            done++;
            seen[0] = next[0];
            seen[1] = next[1];
        } else {
            seen[0] = was[0];
            seen[1] = was[1];
        }
    }
    return 0;
}

static void assert_totals(struct shared *s, int64_t workers)
{
    int64_t pair[2];

    g_assert_cmpint(fam_atomic_64_read(&s->add64), ==, workers * ADDS);
    g_assert_cmpint(fam_atomic_32_read(&s->add32), ==, workers * ADDS);
    g_assert_cmpint(s->plain, ==, workers * LOCKED);
    g_assert_cmpint(s->lock.word, ==, 0);
    g_assert_cmpint(fam_atomic_32_read(&s->cas32), ==, workers * CAS);
    g_assert_cmpint(fam_atomic_64_read(&s->cas64), ==, workers * CAS);
    fam_atomic_128_read(s->pair, pair);
    g_assert_cmpint(pair[0], ==, workers * CAS);
    g_assert_cmpint(pair[1], ==, ~(workers * CAS));
}

static void init_shared(struct shared *s)
{
    int64_t zero[2] = { 0, ~(int64_t)0 };

    fam_atomic_64_write(&s->arrived, 0);
    fam_atomic_64_write(&s->add64, 0);
    fam_atomic_32_write(&s->add32, 0);
    fam_spin_lock_init(&s->lock);
    s->plain = 0;
    fam_atomic_32_write(&s->cas32, 0);
    fam_atomic_64_write(&s->cas64, 0);
    fam_atomic_128_write(s->pair, zero);
}

static void *thread_main(void *arg)
{
    return (void *)(intptr_t)worker(arg, THREADS);
}

static void test_threads(void)
{
    static struct shared s;
    pthread_t t[THREADS];
    double t0 = g_get_monotonic_time();

    init_shared(&s);
    for (int i = 0; i < THREADS; i++) {
        g_assert_cmpint(pthread_create(&t[i], NULL, thread_main, &s), ==, 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *rc;

        g_assert_cmpint(pthread_join(t[i], &rc), ==, 0);
        g_assert_cmpint((intptr_t)rc, ==, 0);
    }
    assert_totals(&s, THREADS);
    g_test_message("%d threads in %.2f s", THREADS,
                   (g_get_monotonic_time() - t0) / 1e6);
}

static void test_processes(void)
{
    g_autofree char *dir = g_dir_make_tmp("libfam-race-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "shared", NULL);
    struct fam_map m;
    pid_t pid[PROCS];

    g_assert_nonnull(dir);
    g_assert_cmpint(fam_map_file(path, 4096, FAM_MAP_CREATE, &m), ==, 0);
    init_shared(m.addr);
    for (int i = 0; i < PROCS; i++) {
        pid[i] = fork();
        g_assert_cmpint(pid[i], >=, 0);
        if (pid[i] == 0) {
            struct fam_map own;

            /* Its own mapping of the file, as another node would have. */
            if (fam_map_file(path, 0, 0, &own) < 0) {
                _exit(10);
            }
            _exit(worker(own.addr, PROCS));
        }
    }
    for (int i = 0; i < PROCS; i++) {
        int status;

        g_assert_cmpint(waitpid(pid[i], &status, 0), ==, pid[i]);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    }
    assert_totals(m.addr, PROCS);
    g_assert_cmpint(fam_unmap_file(&m), ==, 0);
    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/libfam/race/threads", test_threads);
    g_test_add_func("/libfam/race/processes", test_processes);
    return g_test_run();
}
