/*
 * fam-doorbell: doorbells between nodes at the register level, with the
 * driver unbound: the registers are polled instead of taking the MSI-X
 * interrupt (fam-driver tests the interrupts through the driver).
 *
 * Nodes 0 and 1 play ping-pong for fam.db_rounds (default 500) round
 * trips. Node 0 rings vector v = round mod FAM_DOORBELL_VECTORS of node 1;
 * node 1 waits until its FAM_REG_DB_PENDING(v) holds exactly node 0's bit
 * and FAM_REG_INTR_STATUS has bit v, clears both (RW1C), and rings node 0
 * back, which does the same. The first round also checks RW1C itself:
 * writing 0, or another sender's bit, must leave the pending bit set.
 * Afterwards each side's DOORBELLS_SENT and DOORBELLS_RECEIVED must have
 * grown by exactly the number of rounds.
 *
 * Then every node rings a node that does not exist and a vector that does
 * not exist: each must add one to FAM_STAT_DOORBELL_ERRORS and one entry
 * to the error log (kind FAM_ERR_DOORBELL, this node, the written value),
 * raise the error vector's status bit, and count as no doorbell sent.
 *
 * With fam.db_peer_off=1 (the boot test's setting: node 1 must have
 * nothing to run after this program), node 0 finally waits for node 1 to
 * say it is done and then rings it until node 1 has powered off: that
 * doorbell must be refused and logged like the others, within 60 s.
 */
#include "guest-dev.h"

#include <stdio.h>

#define READY       (FAM_AREA_DOORBELL + 0x0000)
#define DONE        (FAM_AREA_DOORBELL + 0x1000)
#define DB_BITS     ((1u << FAM_DOORBELL_VECTORS) - 1)

static uint64_t db_stat(const struct guest_dev *d, unsigned which)
{
    return guest_rd64(d, FAM_REG_STAT(which));
}

static void ring(const struct guest_dev *d, unsigned node, unsigned vector)
{
    guest_wr32(d, FAM_REG_DOORBELL, FAM_DOORBELL(node, vector));
}

/* Clear every doorbell and interrupt status bit of this node, and check
 * that they read back clear: a test on top of stale bits proves nothing. */
static bool clear_all(const struct guest_dev *d, const struct fame_node *n)
{
    for (unsigned v = 0; v < FAM_DOORBELL_VECTORS; v++)
        guest_wr64(d, FAM_REG_DB_PENDING(v), ~0ULL);
    guest_wr32(d, FAM_REG_INTR_STATUS, ~0u);
    for (unsigned v = 0; v < FAM_DOORBELL_VECTORS; v++) {
        uint64_t p = guest_rd64(d, FAM_REG_DB_PENDING(v));
        if (p) {
            fame_say(n, "FAIL DB_PENDING(%u) reads %#llx after writing "
                     "all-ones to clear it", v, (unsigned long long)p);
            return false;
        }
    }
    uint32_t st = guest_rd32(d, FAM_REG_INTR_STATUS);
    if (st) {
        fame_say(n, "FAIL INTR_STATUS reads %#x after writing all-ones to "
                 "clear it", st);
        return false;
    }
    return true;
}

/*
 * Wait for the doorbell of `from` on vector v, check it is the only one,
 * and clear it. first: also prove that RW1C clears only the bits written.
 */
static bool receive(const struct guest_dev *d, const struct fame_node *n,
                    unsigned from, unsigned v, unsigned round, bool first)
{
    uint64_t want = 1ULL << from, p;
    double end = fame_now() + 30;
    unsigned long spins = 0;
    while (!(p = guest_rd64(d, FAM_REG_DB_PENDING(v)))) {
        if (fame_now() > end) {
            fame_say(n, "FAIL round %u: no doorbell from node %u on vector "
                     "%u within 30 s", round, from, v);
            return false;
        }
        /* Spin a little (the answer is usually quick), then let the
         * other node's vCPU have the host core. */
        if (++spins > 200)
            fame_sleep(0.0001);
    }
    uint32_t st = guest_rd32(d, FAM_REG_INTR_STATUS);
    if (p != want || (st & DB_BITS) != 1u << v) {
        fame_say(n, "FAIL round %u: DB_PENDING(%u) = %#llx (want %#llx), "
                 "INTR_STATUS = %#x (want doorbell bit %u only)", round, v,
                 (unsigned long long)p, (unsigned long long)want, st, v);
        return false;
    }
    if (first) {
        guest_wr64(d, FAM_REG_DB_PENDING(v), 0);
        guest_wr64(d, FAM_REG_DB_PENDING(v), ~want);
        guest_wr32(d, FAM_REG_INTR_STATUS, ~(1u << v));
        p = guest_rd64(d, FAM_REG_DB_PENDING(v));
        st = guest_rd32(d, FAM_REG_INTR_STATUS);
        if (p != want || !(st & 1u << v)) {
            fame_say(n, "FAIL writing 0 and the other bits cleared the "
                     "doorbell: DB_PENDING(%u) = %#llx, INTR_STATUS = %#x "
                     "(RW1C must clear only the bits written as 1)", v,
                     (unsigned long long)p, st);
            return false;
        }
    }
    guest_wr64(d, FAM_REG_DB_PENDING(v), want);
    guest_wr32(d, FAM_REG_INTR_STATUS, 1u << v);
    p = guest_rd64(d, FAM_REG_DB_PENDING(v));
    st = guest_rd32(d, FAM_REG_INTR_STATUS);
    if (p || (st & 1u << v)) {
        fame_say(n, "FAIL round %u: after clearing, DB_PENDING(%u) = %#llx, "
                 "INTR_STATUS = %#x", round, v, (unsigned long long)p, st);
        return false;
    }
    return true;
}

static bool ping_pong(const struct guest_dev *d, const struct fame_node *n,
                      uint64_t run, unsigned rounds)
{
    unsigned peer = n->id ^ 1;
    if (!clear_all(d, n))
        return false;
    uint64_t sent0 = db_stat(d, FAM_STAT_DOORBELLS_SENT);
    uint64_t recv0 = db_stat(d, FAM_STAT_DOORBELLS_RECEIVED);

    /* Ring only once the peer has cleared its own state. */
    guest_publish(d, READY, n->id, run);
    if (!guest_wait_slot(d, n, READY, peer, run, FAM_WAIT_BOOT,
                       "ready for ping-pong"))
        return false;

    double t0 = fame_now();
    for (unsigned r = 0; r < rounds; r++) {
        unsigned v = r % FAM_DOORBELL_VECTORS;
        if (n->id == 0) {
            ring(d, peer, v);
            if (!receive(d, n, peer, v, r, r == 0))
                return false;
        } else {
            if (!receive(d, n, peer, v, r, r == 0))
                return false;
            ring(d, peer, v);
        }
    }
    double took = fame_now() - t0;

    uint64_t sent = db_stat(d, FAM_STAT_DOORBELLS_SENT) - sent0;
    uint64_t recv = db_stat(d, FAM_STAT_DOORBELLS_RECEIVED) - recv0;
    fame_say(n, "node %u: %u round trips with node %u in %.2f s (%.0f us "
             "each); sent +%llu, received +%llu", n->id, rounds, peer, took,
             took * 1e6 / rounds, (unsigned long long)sent,
             (unsigned long long)recv);
    if (sent != rounds || recv != rounds) {
        fame_say(n, "FAIL DOORBELLS_SENT grew by %llu and DOORBELLS_RECEIVED "
                 "by %llu, not %u each", (unsigned long long)sent,
                 (unsigned long long)recv, rounds);
        return false;
    }
    return true;
}

/* Check the newest error log entry: a refused doorbell `value` of ours. */
static bool check_log_entry(const struct guest_dev *d, const struct fame_node *n,
                            uint32_t value, const char *what)
{
    uint64_t logged = guest_rd64(d, FAM_REG_ERRLOG_COUNT);
    unsigned e = FAM_REG_ERRLOG((unsigned)((logged - 1) % FAM_ERRLOG_ENTRIES));
    uint32_t kind = guest_rd32(d, e + FAM_ERRLOG_KIND);
    uint32_t node = guest_rd32(d, e + FAM_ERRLOG_NODE);
    uint64_t info = guest_rd64(d, e + FAM_ERRLOG_INFO);
    uint64_t time = guest_rd64(d, e + FAM_ERRLOG_TIME);
    if (kind != FAM_ERR_DOORBELL || node != n->id || info != value || !time) {
        fame_say(n, "FAIL doorbell %#x (%s): error log entry %llu has kind "
                 "%u node %u info %#llx time %llu (want kind %u node %u info "
                 "%#x, a time)", value, what, (unsigned long long)logged - 1,
                 kind, node, (unsigned long long)info,
                 (unsigned long long)time, FAM_ERR_DOORBELL, n->id, value);
        return false;
    }
    return true;
}

/* Ring `value`, which must be refused, and check how it was accounted. */
static bool bad_doorbell(const struct guest_dev *d, const struct fame_node *n,
                         uint32_t value, const char *what)
{
    uint64_t err0 = db_stat(d, FAM_STAT_DOORBELL_ERRORS);
    uint64_t sent0 = db_stat(d, FAM_STAT_DOORBELLS_SENT);
    uint64_t log0 = guest_rd64(d, FAM_REG_ERRLOG_COUNT);
    guest_wr32(d, FAM_REG_INTR_STATUS, 1u << FAM_VECTOR_ERROR);

    guest_wr32(d, FAM_REG_DOORBELL, value);

    uint64_t err = db_stat(d, FAM_STAT_DOORBELL_ERRORS) - err0;
    uint64_t sent = db_stat(d, FAM_STAT_DOORBELLS_SENT) - sent0;
    uint64_t logged = guest_rd64(d, FAM_REG_ERRLOG_COUNT);
    uint32_t st = guest_rd32(d, FAM_REG_INTR_STATUS);
    if (err != 1 || sent != 0 || logged != log0 + 1) {
        fame_say(n, "FAIL doorbell %#x (%s): DOORBELL_ERRORS +%llu, "
                 "DOORBELLS_SENT +%llu, ERRLOG_COUNT %llu -> %llu (want +1, "
                 "+0, +1)", value, what, (unsigned long long)err,
                 (unsigned long long)sent, (unsigned long long)log0,
                 (unsigned long long)logged);
        return false;
    }
    if (!check_log_entry(d, n, value, what))
        return false;
    if (!(st & 1u << FAM_VECTOR_ERROR)) {
        fame_say(n, "FAIL doorbell %#x (%s) was logged but INTR_STATUS "
                 "(%#x) lacks the error vector's bit %u", value, what, st,
                 FAM_VECTOR_ERROR);
        return false;
    }
    guest_wr32(d, FAM_REG_INTR_STATUS, 1u << FAM_VECTOR_ERROR);
    fame_say(n, "node %u: doorbell %#x (%s) refused, counted and logged",
             n->id, value, what);
    return true;
}

/* Node 0: ring node 1 until it is off; that ring must count as an error. */
static bool ring_powered_off(const struct guest_dev *d, const struct fame_node *n,
                             uint64_t run)
{
    if (!guest_wait_slot(d, n, DONE, 1, run, FAM_WAIT_BOOT, "done"))
        return false;
    uint32_t value = FAM_DOORBELL(1u, 0);
    double t0 = fame_now();
    unsigned delivered = 0;
    for (;;) {
        uint64_t err0 = db_stat(d, FAM_STAT_DOORBELL_ERRORS);
        uint64_t log0 = guest_rd64(d, FAM_REG_ERRLOG_COUNT);
        ring(d, 1, 0);
        if (db_stat(d, FAM_STAT_DOORBELL_ERRORS) == err0 + 1) {
            if (guest_rd64(d, FAM_REG_ERRLOG_COUNT) != log0 + 1) {
                fame_say(n, "FAIL the doorbell to powered-off node 1 was "
                         "counted but not logged");
                return false;
            }
            if (!check_log_entry(d, n, value, "node 1 powered off"))
                return false;
            break;
        }
        delivered++;
        if (fame_now() - t0 > 60) {
            fame_say(n, "FAIL node 1 still took doorbells 60 s after it was "
                     "done (%u delivered): is it not powered off, or are "
                     "doorbells to a node that is off not refused?",
                     delivered);
            return false;
        }
        fame_sleep(0.2);
    }
    fame_say(n, "node 0: doorbell to node 1 once powered off refused, "
             "counted and logged (%u delivered while it shut down, %.1f s)",
             delivered, fame_now() - t0);
    return true;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct guest_dev d;
    fame_node_init(&n, "fam-doorbell", argc, argv);
    long rounds = fame_cmdline_long("fam.db_rounds", 500);
    if (n.count < 2 || rounds <= 0) {
        fame_say(&n, "FAIL needs 2 nodes or more and fam.db_rounds > 0");
        return 1;
    }
    if (!guest_dev_open(&d, &n))
        return 1;
    uint64_t run = guest_run_id();

    if (n.id < 2 && !ping_pong(&d, &n, run, (unsigned)rounds))
        return 1;
    /* Vector check against this node itself, so no other node's state is
     * disturbed if the device wrongly accepted it. */
    if (!bad_doorbell(&d, &n, FAM_DOORBELL(n.count, 0), "no such node") ||
        !bad_doorbell(&d, &n, FAM_DOORBELL(0xffffu, 1), "node 0xffff") ||
        !bad_doorbell(&d, &n, FAM_DOORBELL(n.id, FAM_DOORBELL_VECTORS),
                      "no such vector"))
        return 1;
    for (unsigned v = 0; v < FAM_DOORBELL_VECTORS; v++) {
        uint64_t p = guest_rd64(&d, FAM_REG_DB_PENDING(v));
        if (p) {
            fame_say(&n, "FAIL a refused doorbell left DB_PENDING(%u) = "
                     "%#llx", v, (unsigned long long)p);
            return 1;
        }
    }
    guest_publish(&d, DONE, n.id, run);
    if (n.id == 0 && fame_cmdline_long("fam.db_peer_off", 0) &&
        !ring_powered_off(&d, &n, run))
        return 1;
    fame_say(&n, "node %u: PASS", n.id);
    return 0;
}
