/*
 * fam-lib's connection to the Librarian: a daemon's socket (online), or
 * the database opened in this process (offline), behind one request
 * function so that every command is written once for both.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib-proto.h"

int cli_fail(CliContext *ctx, const char *what, int neg_errno)
{
    fprintf(ctx->err, "fam-lib: %s: %s\n", what, strerror(-neg_errno));
    return CLI_EXIT_FAILED;
}

int cli_connect(CliContext *ctx)
{
    char *err = NULL;
    int ret;

    ctx->uid = (uint32_t)getuid();
    ctx->gid = (uint32_t)getgid();
    ctx->pid = (uint32_t)getpid();

    if (ctx->socket_path != NULL) {
        ctx->client = fam_lib_client_connect(ctx->socket_path, &err);
        if (ctx->client == NULL) {
            fprintf(ctx->err, "fam-lib: %s\n",
                    err != NULL ? err : strerror(errno));
            free(err);
            return CLI_EXIT_FAILED;
        }
        return CLI_EXIT_OK;
    }
    if (ctx->db_path == NULL && ctx->pool_path == NULL) {
        fprintf(ctx->err, "fam-lib: say where the Librarian is: --socket "
                "PATH (a running fam-librarian), or --pool FILE or --db "
                "FILE (offline)\nTry 'fam-lib --help'.\n");
        return CLI_EXIT_USAGE;
    }
    FamLibStoreOptions opt = {
        .pool_path = ctx->pool_path,
        .db_path = ctx->db_path,
        .models_dir = ctx->models_dir,
        .create = false,
    };
    ret = fam_lib_store_open(&opt, &ctx->store, &err);
    if (ret < 0) {
        fprintf(ctx->err, "fam-lib: %s\n", err != NULL ? err : strerror(-ret));
        free(err);
        return CLI_EXIT_FAILED;
    }
    ctx->offline = true;
    return CLI_EXIT_OK;
}

void cli_disconnect(CliContext *ctx)
{
    if (ctx->client != NULL) {
        fam_lib_client_close(ctx->client);
        ctx->client = NULL;
    }
    if (ctx->offline) {
        fam_lib_store_close(&ctx->store);
        ctx->offline = false;
    }
}

/* Move one message to the Librarian and its reply back. */
static int transact(CliContext *ctx, const void *req, size_t len,
                    void *reply, size_t cap, size_t *reply_len)
{
    if (ctx->client != NULL) {
        return fam_lib_client_call(ctx->client, req, len, reply, cap,
                                   reply_len);
    }
    if (ctx->offline) {
        /* Nothing to force: whoever can open the database file can act
         * as anyone in it anyway. */
        *reply_len = fam_lib_handle(ctx->store.lib, req, len, NULL, reply,
                                    cap);
        return 0;
    }
    return -ENOTCONN;
}

int cli_request(CliContext *ctx, uint16_t op, const struct fam_lib_args *args,
                const char *str1, const char *str2, const void *blob,
                size_t blob_len, CliReply *reply)
{
    unsigned char req[FAM_LIB_MSG_MAX];
    uint32_t seq = ++ctx->seq;
    size_t rlen = 0;
    int len, ret;

    len = fam_lib_msg_build(req, sizeof(req), op, seq, FAM_LIB_NODE_HOST,
                            ctx->uid, ctx->gid, ctx->pid, args, str1, str2,
                            blob, blob_len);
    if (len < 0) {
        /* Too long for one message: what the Librarian would say of a
         * name or value that long. */
        return len == -EMSGSIZE ? -ENAMETOOLONG : len;
    }
    ret = transact(ctx, req, (size_t)len, reply->buf, sizeof(reply->buf),
                   &rlen);
    if (ret < 0) {
        return ret;
    }
    return fam_lib_reply_check(reply->buf, rlen, op, seq, &reply->body,
                               &reply->body_len);
}

int cli_list(CliContext *ctx, uint16_t op, const struct fam_lib_args *args,
             const char *path, uint32_t item, CliListFn item_fn,
             void *opaque)
{
    struct fam_lib_args a = args != NULL ? *args : (struct fam_lib_args){ 0 };
    CliReply *reply = malloc(sizeof(*reply));
    uint64_t cursor = 0;
    int ret;

    if (reply == NULL) {
        return -ENOMEM;
    }
    for (;;) {
        struct fam_lib_list list;
        FamLibListIter it;

        a.size = cursor;
        ret = cli_request(ctx, op, &a, path, NULL, NULL, 0, reply);
        if (ret < 0) {
            break;
        }
        ret = fam_lib_list_begin(&it, item, reply->body, reply->body_len,
                                 &list);
        if (ret < 0) {
            break;
        }
        ret = item_fn(ctx, &it, opaque);
        if (ret < 0 || list.done) {
            break;
        }
        /* A Librarian that neither finishes nor moves on would keep us
         * here forever. */
        if (list.next == cursor) {
            ret = -EPROTO;
            break;
        }
        cursor = list.next;
    }
    free(reply);
    return ret < 0 ? ret : 0;
}

int cli_getattr(CliContext *ctx, const char *path, struct fam_lib_attr *attr)
{
    CliReply *reply = malloc(sizeof(*reply));
    int ret;

    if (reply == NULL) {
        return -ENOMEM;
    }
    ret = cli_request(ctx, FAM_LIB_OP_GETATTR, NULL, path, NULL, NULL, 0,
                      reply);
    if (ret == 0) {
        memcpy(attr, reply->body, sizeof(*attr));
        fam_lib_wire_attr(attr);
    }
    free(reply);
    return ret;
}

const char *cli_path(CliContext *ctx, const char *in, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s%s", in[0] == '/' ? "" : "/", in);

    if (n < 0 || (size_t)n >= cap) {
        fprintf(ctx->err, "fam-lib: %s: %s\n", in, strerror(ENAMETOOLONG));
        return NULL;
    }
    return buf;
}
