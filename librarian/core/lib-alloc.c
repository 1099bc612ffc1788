/*
 * Allocation: ask the policy planner (lib-policy.h) for a plan from the
 * free-book counts of every IG, then carry each step out against the
 * books table inside the caller's transaction. A step that cannot be
 * filled fails the whole operation (-ENOSPC) and the rollback undoes the
 * steps before it, so a request is allocated whole or not at all.
 */
#include "lib-int.h"

uint64_t lib_books_for(const FamLib *lib, uint64_t size)
{
    uint64_t bs = lib->model->book_size;

    return size / bs + (size % bs != 0);
}

static int read_free_counts(FamLib *lib)
{
    static const char sql[] =
        "SELECT ig, count FROM book_counts WHERE state = " SQL_BOOK_FREE;
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    memset(lib->ig_free, 0, lib->igs * sizeof(uint64_t));
    while ((ret = lib_step(lib, st)) > 0) {
        int64_t ig = sqlite3_column_int64(st, 0);
        int64_t n = sqlite3_column_int64(st, 1);

        if (ig >= 0 && ig < lib->igs && n > 0) {
            lib->ig_free[ig] = (uint64_t)n;
        }
    }
    return ret;
}

/* Free books now in one IG (or all, ig < 0), this transaction included. */
static int free_now(FamLib *lib, int64_t ig, uint64_t *out)
{
    static const char sql[] =
        "SELECT total(count) FROM book_counts"
        " WHERE state = " SQL_BOOK_FREE " AND (?1 < 0 OR ig = ?1)";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int64_t n;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, ig);
    ret = lib_query_int(lib, st, &n);
    *out = n > 0 ? (uint64_t)n : 0;
    return ret;
}

/* Put `book` on the shelf at *seq if it is FREE (and in IG `ig`, unless
 * ig < 0): 1 if taken, 0 if not. */
static int take_book(FamLib *lib, int64_t shelf, uint64_t *seq,
                     uint64_t book, int64_t ig)
{
    static const char sql[] =
        "UPDATE books SET state = " SQL_BOOK_INUSE ", shelf = ?2, seq = ?3"
        " WHERE id = ?1 AND state = " SQL_BOOK_FREE
        " AND (?4 < 0 OR ig = ?4)";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, (int64_t)book);
    sqlite3_bind_int64(st, 2, shelf);
    sqlite3_bind_int64(st, 3, (int64_t)*seq);
    sqlite3_bind_int64(st, 4, ig);
    ret = lib_run(lib, st);
    if (ret < 0) {
        return ret;
    }
    if (sqlite3_changes(lib->db) != 1) {
        return 0;
    }
    (*seq)++;
    return 1;
}

/* Up to `limit` free book numbers of an IG (or all), in order. */
static int list_free(FamLib *lib, int64_t ig, bool descending,
                     uint64_t limit, uint64_t **ids, uint64_t *n)
{
    static const char asc_ig[] =
        "SELECT id FROM books WHERE state = " SQL_BOOK_FREE " AND ig = ?1"
        " ORDER BY id ASC LIMIT ?2";
    static const char desc_ig[] =
        "SELECT id FROM books WHERE state = " SQL_BOOK_FREE " AND ig = ?1"
        " ORDER BY id DESC LIMIT ?2";
    static const char asc_any[] =
        "SELECT id FROM books WHERE state = " SQL_BOOK_FREE " AND ?1 < 0"
        " ORDER BY id ASC LIMIT ?2";
    static const char desc_any[] =
        "SELECT id FROM books WHERE state = " SQL_BOOK_FREE " AND ?1 < 0"
        " ORDER BY id DESC LIMIT ?2";
    sqlite3_stmt *st;
    int ret;

    st = lib_sql(lib, ig < 0 ? (descending ? desc_any : asc_any)
                             : (descending ? desc_ig : asc_ig));
    if (limit > lib->model->books) {
        limit = lib->model->books;
    }
    *ids = malloc((limit ? limit : 1) * sizeof(uint64_t));
    *n = 0;
    if (st == NULL || *ids == NULL) {
        free(*ids);
        *ids = NULL;
        return st ? -ENOMEM : -EIO;
    }
    sqlite3_bind_int64(st, 1, ig);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    while ((ret = lib_step(lib, st)) > 0) {
        (*ids)[(*n)++] = (uint64_t)sqlite3_column_int64(st, 0);
    }
    if (ret < 0) {
        free(*ids);
        *ids = NULL;
    }
    return ret;
}

static int take_list(FamLib *lib, int64_t shelf, uint64_t *seq,
                     const uint64_t *ids, uint64_t n, int64_t ig)
{
    for (uint64_t i = 0; i < n; i++) {
        int ret = take_book(lib, shelf, seq, ids[i], ig);

        if (ret <= 0) {
            return ret < 0 ? ret : -EIO;    /* listed free a moment ago */
        }
    }
    return 0;
}

static int take_ordered(FamLib *lib, int64_t shelf, uint64_t *seq,
                        int64_t ig, uint64_t count, bool descending)
{
    uint64_t *ids, n;
    int ret = list_free(lib, ig, descending, count, &ids, &n);

    if (ret < 0) {
        return ret;
    }
    ret = n < count ? -ENOSPC : take_list(lib, shelf, seq, ids, n, ig);
    free(ids);
    return ret;
}

/* Uniformly among all free books of the IG: list them, shuffle the
 * first `count` into place (partial Fisher-Yates). */
static int take_random_dense(FamLib *lib, int64_t shelf, uint64_t *seq,
                             int64_t ig, uint64_t count)
{
    uint64_t *ids, n;
    int ret = list_free(lib, ig, false, lib->model->books, &ids, &n);

    if (ret < 0) {
        return ret;
    }
    if (n < count) {
        free(ids);
        return -ENOSPC;
    }
    for (uint64_t i = 0; i < count; i++) {
        uint64_t j = i + lib_random(lib) % (n - i);
        uint64_t t = ids[i];

        ids[i] = ids[j];
        ids[j] = t;
    }
    ret = take_list(lib, shelf, seq, ids, count, ig);
    free(ids);
    return ret;
}

/*
 * Uniformly at random without listing every free book: draw book
 * numbers in the IG's range and keep the free ones (rejection sampling
 * is exactly uniform over the free books). When free books are sparse
 * the draws would mostly miss, so list them instead.
 */
static int take_random(FamLib *lib, int64_t shelf, uint64_t *seq,
                       int64_t ig, uint64_t count)
{
    uint64_t lo = ig < 0 ? 0 : lib->ig_first[ig];
    uint64_t hi = ig < 0 ? lib->model->books - 1 : lib->ig_last[ig];
    uint64_t span = hi - lo + 1;
    uint64_t free_books, budget, taken = 0;
    int ret = free_now(lib, ig, &free_books);

    if (ret < 0) {
        return ret;
    }
    if (free_books < count) {
        return -ENOSPC;
    }
    if (free_books < span / 4 || free_books - count < span / 8) {
        return take_random_dense(lib, shelf, seq, ig, count);
    }
    budget = 16 * count + 64;
    while (taken < count && budget-- > 0) {
        ret = take_book(lib, shelf, seq, lo + lib_random(lib) % span, ig);
        if (ret < 0) {
            return ret;
        }
        taken += (uint64_t)ret;
    }
    return taken == count
        ? 0 : take_random_dense(lib, shelf, seq, ig, count - taken);
}

static int read_request(FamLib *lib, int64_t shelf, uint8_t **req,
                        size_t *len)
{
    static const char sql[] = "SELECT ireq FROM shelves WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    *req = NULL;
    *len = 0;
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret;
    }
    *len = (size_t)sqlite3_column_bytes(st, 0);
    if (*len > 0) {
        *req = malloc(*len);
        if (*req == NULL) {
            sqlite3_reset(st);
            return -ENOMEM;
        }
        memcpy(*req, sqlite3_column_blob(st, 0), *len);
    }
    sqlite3_reset(st);
    return 0;
}

static int save_request_pos(FamLib *lib, int64_t shelf, uint32_t pos)
{
    static const char sql[] = "UPDATE shelves SET ireq_pos = ?2 WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    sqlite3_bind_int64(st, 2, pos);
    return lib_run(lib, st);
}

static int run_plan(FamLib *lib, const LibShelf *s, const FamPolicyPlan *plan)
{
    uint64_t seq = s->nbooks;

    for (size_t i = 0; i < plan->n_steps; i++) {
        const FamPolicyStep *step = &plan->steps[i];
        int64_t ig = step->ig == FAM_POLICY_ANY_IG ? -1 : (int64_t)step->ig;
        int ret;

        if (ig >= (int64_t)lib->igs || step->count == 0) {
            return -EIO;    /* the planner broke its contract */
        }
        switch (step->order) {
        case FAM_ORDER_ASCENDING:
            ret = take_ordered(lib, s->id, &seq, ig, step->count, false);
            break;
        case FAM_ORDER_DESCENDING:
            ret = take_ordered(lib, s->id, &seq, ig, step->count, true);
            break;
        default:
            ret = take_random(lib, s->id, &seq, ig, step->count);
            break;
        }
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

int lib_alloc_books(FamLib *lib, const FamLibCaller *who, const LibShelf *s,
                    uint64_t n)
{
    FamPolicyRequest req = { 0 };
    FamPolicyPlan plan = { 0 };
    FamPolicy policy;
    uint8_t *ireq = NULL;
    size_t ireq_len = 0;
    int ret;

    if (s->policy >= 0) {
        policy = (FamPolicy)s->policy;
    } else {
        ret = lib_default_policy(lib, &policy);
        if (ret < 0) {
            return ret;
        }
    }
    ret = read_free_counts(lib);
    if (ret == 0 && policy == FAM_POLICY_REQUEST_IG) {
        ret = read_request(lib, s->id, &ireq, &ireq_len);
    }
    if (ret < 0) {
        return ret;
    }
    req.policy = policy;
    req.node = who->node;
    req.books = n;
    req.free_books = lib->ig_free;
    req.request = ireq;
    req.request_len = ireq_len;
    req.request_pos = s->ireq_pos;
    ret = fam_policy_plan(lib->model, &req, &plan);
    if (ret == 0) {
        ret = run_plan(lib, s, &plan);
    }
    if (ret == 0 && policy == FAM_POLICY_REQUEST_IG) {
        ret = save_request_pos(lib, s->id, plan.request_pos);
    }
    fam_policy_plan_free(&plan);
    free(ireq);
    return ret;
}
