/*
 * Unit tests of libfam's spinlock: trylock on a free and a held lock,
 * the initializer, init over garbage, and all-zero memory as unlocked.
 * (The race between threads is in test-libfam-race.c.)
 */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "fame/libfam.h"

static void test_trylock(void)
{
    struct fam_spinlock lock = FAM_SPINLOCK_INITIALIZER;

    g_assert_cmpuint(sizeof(lock), ==, 8);
    g_assert_true(fam_spin_trylock(&lock));
    g_assert_false(fam_spin_trylock(&lock));    /* held: refused at once */
    fam_spin_unlock(&lock);
    g_assert_true(fam_spin_trylock(&lock));
    fam_spin_unlock(&lock);
    fam_spin_lock(&lock);
    g_assert_false(fam_spin_trylock(&lock));
    fam_spin_unlock(&lock);
    g_assert_cmpint(lock.word, ==, 0);
}

static void test_init(void)
{
    struct fam_spinlock lock;

    memset(&lock, 0xa5, sizeof(lock));          /* garbage, as in new RAM */
    fam_spin_lock_init(&lock);
    g_assert_cmpint(lock.word, ==, 0);
    g_assert_true(fam_spin_trylock(&lock));
    fam_spin_unlock(&lock);

    /* All-zero memory (a fresh LFS file) is an unlocked lock. */
    memset(&lock, 0, sizeof(lock));
    g_assert_true(fam_spin_trylock(&lock));
    fam_spin_unlock(&lock);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/libfam/lock/trylock", test_trylock);
    g_test_add_func("/libfam/lock/init", test_init);
    return g_test_run();
}
