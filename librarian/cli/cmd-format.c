/*
 * fam-lib format: a pool file and a new database for it. The one command
 * that creates things outside the Librarian, so it works offline only,
 * through the same lib-store rules as the daemon.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib-size.h"

#define FORMAT_DEFAULT_SIZE     (UINT64_C(1) << 30)

/* Remove the database and SQLite's companions of it. */
static int remove_database(CliContext *ctx, const char *db)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char path[4096];

    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", db, suffixes[i]);
        if (unlink(path) < 0 && errno != ENOENT) {
            return cli_fail(ctx, path, -errno);
        }
    }
    return CLI_EXIT_OK;
}

/*
 * Zero an existing pool: a new database says every book is free, so no
 * book may keep what an earlier one left in it. Punching holes is
 * instant where the file system can; elsewhere, write zeroes.
 */
static int zero_pool(int fd, uint64_t size)
{
    static const char zeroes[1 << 16];
    uint64_t off = 0;

    if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
                  (off_t)size) == 0) {
        return 0;
    }
    if (errno != EOPNOTSUPP && errno != ENOSYS) {
        return -errno;
    }
    while (off < size) {
        size_t n = size - off < sizeof(zeroes) ? (size_t)(size - off)
                                                 : sizeof(zeroes);
        ssize_t w = pwrite(fd, zeroes, n, (off_t)off);

        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        off += (uint64_t)w;
    }
    return fsync(fd) < 0 ? -errno : 0;
}

/*
 * The pool file: an existing one keeps its size (and is zeroed), a new one
 * gets `size`. *created says whether we made it, to remove it again if
 * the database cannot be made.
 */
static int prepare_pool(CliContext *ctx, const char *pool, uint64_t size,
                        bool size_given, bool *created)
{
    struct stat st;
    int fd, ret;

    *created = false;
    fd = open(pool, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            fprintf(ctx->err, "fam-lib: %s: not a regular file\n", pool);
            return CLI_EXIT_FAILED;
        }
        if (size_given && (uint64_t)st.st_size != size) {
            close(fd);
            fprintf(ctx->err, "fam-lib: %s: exists with %jd bytes, not "
                    "%" PRIu64 " (remove it, or leave out --size)\n", pool,
                    (intmax_t)st.st_size, size);
            return CLI_EXIT_FAILED;
        }
        ret = zero_pool(fd, (uint64_t)st.st_size);
        close(fd);
        return ret < 0 ? cli_fail(ctx, pool, ret) : CLI_EXIT_OK;
    }
    if (errno != ENOENT) {
        return cli_fail(ctx, pool, -errno);
    }
    /* Only its owner: every node's data lives in it. */
    fd = open(pool, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return cli_fail(ctx, pool, -errno);
    }
    *created = true;
    ret = ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
    close(fd);
    if (ret < 0) {
        unlink(pool);
        *created = false;
        return cli_fail(ctx, pool, ret);
    }
    return CLI_EXIT_OK;
}

int cli_cmd_format(CliContext *ctx, const CliCommand *cmd, int argc,
                   char **argv)
{
    static const struct option longopts[] = {
        { "pool", required_argument, NULL, 'p' },
        { "db", required_argument, NULL, 'D' },
        { "model", required_argument, NULL, 'm' },
        { "nodes", required_argument, NULL, 'n' },
        { "size", required_argument, NULL, 's' },
        { "book-size", required_argument, NULL, 'b' },
        { "force", no_argument, NULL, 'f' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    FamLibStoreOptions opt = { .models_dir = ctx->models_dir,
                               .create = true };
    FamLibStore store;
    uint64_t size = FORMAT_DEFAULT_SIZE;
    bool size_given = false, force = false, created;
    char *err = NULL, *db;
    char bsize[32], psize[32];
    struct stat st;
    int c, status, ret;

    opt.pool_path = ctx->pool_path;
    opt.db_path = ctx->db_path;
    while ((c = cli_getopt(ctx, cmd, argc, argv, "", longopts, &status))
           != CLI_OPT_END) {
        switch (c) {
        case 'p':
            opt.pool_path = optarg;
            break;
        case 'D':
            opt.db_path = optarg;
            break;
        case 'm':
            opt.model = optarg;
            break;
        case 'n':
            if (!fam_lib_parse_u32(optarg, FAM_MAX_NODES, &opt.nodes) ||
                opt.nodes == 0) {
                return cli_usage_error(ctx, cmd, "--nodes %s: a node count "
                                       "from 1 to %u", optarg,
                                       FAM_MAX_NODES);
            }
            break;
        case 's':
            if (!fam_lib_parse_size(optarg, &size) || size == 0) {
                return cli_usage_error(ctx, cmd, "--size %s: a size such as "
                                       "1G", optarg);
            }
            size_given = true;
            break;
        case 'b':
            if (!fam_lib_parse_size(optarg, &opt.book_size) ||
                opt.book_size == 0) {
                return cli_usage_error(ctx, cmd, "--book-size %s: a size "
                                       "such as 8M", optarg);
            }
            break;
        case 'f':
            force = true;
            break;
        default:
            return status;
        }
    }
    status = cli_operands(ctx, cmd, argc, argv, 0, 0);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    if (ctx->socket_path != NULL) {
        return cli_usage_error(ctx, cmd, "works on the pool file itself, not "
                               "through a daemon: give --pool");
    }
    if (opt.pool_path == NULL || opt.model == NULL || opt.nodes == 0) {
        return cli_usage_error(ctx, cmd, "--pool, --model and --nodes are "
                               "required");
    }

    /* Check the model against the pool's size before anything is
     * written: a format that cannot succeed must leave the files alone. */
    if (!size_given && stat(opt.pool_path, &st) == 0 && S_ISREG(st.st_mode)) {
        size = (uint64_t)st.st_size;
    }
    FamModelParams params = {
        .nodes = opt.nodes,
        .pool_size = size,
        .book_size = opt.book_size,
    };
    FamModel *model = NULL;

    ret = fam_lib_store_load_model(opt.model, opt.models_dir, &params,
                                   &model, NULL, &err);
    if (ret < 0) {
        fprintf(ctx->err, "fam-lib: %s\n", err != NULL ? err : strerror(-ret));
        free(err);
        return CLI_EXIT_FAILED;
    }
    fam_model_free(model);

    db = opt.db_path != NULL ? strdup(opt.db_path)
                             : fam_lib_store_db_path(opt.pool_path);
    if (db == NULL) {
        return cli_fail(ctx, "format", -ENOMEM);
    }
    if (stat(db, &st) == 0 && st.st_size > 0) {
        if (!force) {
            fprintf(ctx->err, "fam-lib: %s: a database exists (--force "
                    "replaces it, and every shelf in it is lost)\n", db);
            free(db);
            return CLI_EXIT_FAILED;
        }
    }
    /* Leftover -wal/-shm of an earlier database must not be replayed into
     * the new one, so they go even without --force when the main file is
     * gone or empty. */
    status = remove_database(ctx, db);
    free(db);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    status = prepare_pool(ctx, opt.pool_path, size, size_given, &created);
    if (status != CLI_EXIT_OK) {
        return status;
    }

    ret = fam_lib_store_open(&opt, &store, &err);
    if (ret < 0) {
        fprintf(ctx->err, "fam-lib: %s\n", err != NULL ? err : strerror(-ret));
        free(err);
        if (created) {
            unlink(opt.pool_path);
        }
        return CLI_EXIT_FAILED;
    }

    /*
     * The root directory belongs to whoever formats, as with mke2fs: a
     * user's own pool is usable by that user without root's help. The
     * Librarian lets only root give things away, and offline we hold the
     * database file, so we ask as root.
     */
    if (getuid() != 0) {
        FamLibCaller root = { .node = FAM_LIB_NODE_HOST };

        ret = fam_lib_chown(store.lib, &root, "/", (uint32_t)getuid(),
                            (uint32_t)getgid());
        if (ret < 0) {
            fam_lib_store_close(&store);
            return cli_fail(ctx, "/", ret);
        }
    }

    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "pool", opt.pool_path);
        cli_json_str(&ctx->js, "db", store.db_path);
        cli_json_str(&ctx->js, "model", store.model->name);
        cli_json_u64(&ctx->js, "nodes", store.model->nodes);
        cli_json_u64(&ctx->js, "modules", store.model->modules);
        cli_json_u64(&ctx->js, "pool_size", store.model->pool_size);
        cli_json_u64(&ctx->js, "book_size", store.model->book_size);
        cli_json_u64(&ctx->js, "books", store.model->books);
        cli_json_end(&ctx->js);
    } else {
        fprintf(ctx->out, "%s: %s pool, %" PRIu64 " books of %s, model %s, "
                "%" PRIu32 " nodes; database %s\n", opt.pool_path,
                fam_lib_format_size(store.model->pool_size, psize,
                                    sizeof(psize)),
                store.model->books,
                fam_lib_format_size(store.model->book_size, bsize,
                                    sizeof(bsize)),
                store.model->name, store.model->nodes, store.db_path);
    }
    fam_lib_store_close(&store);
    return CLI_EXIT_OK;
}
