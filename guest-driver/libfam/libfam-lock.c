/*
 * The spinlock: test-and-test-and-set on one 64-bit word, 0 free and 1
 * held. Waiters spin on plain loads, which stay in their own cache (or,
 * under TCG, cost no atomic operation) until the holder's release store
 * changes the word; only then do they try the `xchg` again.
 *
 * A fame node has one CPU. When the holder is another process or thread
 * of the same node, the waiter spinning through its whole time slice
 * only delays the holder, so after SPINS_BEFORE_YIELD reads it gives the
 * CPU away with sched_yield() and spins again when it is back.
 */
#define _POSIX_C_SOURCE 200809L /* sched_yield */

#include "fame/libfam.h"

#include <sched.h>

#include "libfam-int.h"

#define SPINS_BEFORE_YIELD 1024

void fam_spin_lock_init(struct fam_spinlock *lock)
{
    libfam_check_align(__func__, lock, 8);
    __atomic_store_n(&lock->word, 0, __ATOMIC_SEQ_CST);
}

bool fam_spin_trylock(struct fam_spinlock *lock)
{
    libfam_check_align(__func__, lock, 8);
    /* The test before the set: a held lock is not written to. */
    return __atomic_load_n(&lock->word, __ATOMIC_RELAXED) == 0 &&
           __atomic_exchange_n(&lock->word, 1, __ATOMIC_ACQUIRE) == 0;
}

void fam_spin_lock(struct fam_spinlock *lock)
{
    libfam_check_align(__func__, lock, 8);
    while (__atomic_exchange_n(&lock->word, 1, __ATOMIC_ACQUIRE) != 0) {
        unsigned spins = 0;

        while (__atomic_load_n(&lock->word, __ATOMIC_RELAXED) != 0) {
            if (++spins == SPINS_BEFORE_YIELD) {
                sched_yield();
                spins = 0;
            } else {
                __builtin_ia32_pause();
            }
        }
    }
}

/*
 * A release store: every access made while holding the lock is visible
 * before the lock is seen free (on x86 a plain `mov`, which TSO keeps
 * after the earlier stores).
 */
void fam_spin_unlock(struct fam_spinlock *lock)
{
    libfam_check_align(__func__, lock, 8);
    __atomic_store_n(&lock->word, 0, __ATOMIC_RELEASE);
}
