/*
 * How fam-lib shows the Librarian's values: modes, types, book states,
 * times, nodes; as text and as JSON members.
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

void cli_mode_string(uint32_t mode, char out[11])
{
    static const char rwx[] = "rwxrwxrwx";

    switch (mode & FAM_LIB_S_IFMT) {
    case FAM_LIB_S_IFDIR:
        out[0] = 'd';
        break;
    case FAM_LIB_S_IFLNK:
        out[0] = 'l';
        break;
    case FAM_LIB_S_IFREG:
        out[0] = '-';
        break;
    default:
        out[0] = '?';
        break;
    }
    for (int i = 0; i < 9; i++) {
        out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
    }
    /* setuid, setgid, sticky as ls(1) shows them */
    if (mode & 04000) {
        out[3] = (mode & 0100) ? 's' : 'S';
    }
    if (mode & 02000) {
        out[6] = (mode & 0010) ? 's' : 'S';
    }
    if (mode & 01000) {
        out[9] = (mode & 0001) ? 't' : 'T';
    }
    out[10] = '\0';
}

const char *cli_type_name(uint32_t mode)
{
    switch (mode & FAM_LIB_S_IFMT) {
    case FAM_LIB_S_IFDIR:
        return "directory";
    case FAM_LIB_S_IFREG:
        return "file";
    case FAM_LIB_S_IFLNK:
        return "symlink";
    default:
        return "other";
    }
}

static const char *const state_names[] = {
    [FAM_LIB_BOOK_FREE] = "free",
    [FAM_LIB_BOOK_INUSE] = "inuse",
    [FAM_LIB_BOOK_ZOMBIE] = "zombie",
    [FAM_LIB_BOOK_OFFLINE] = "offline",
};

const char *cli_book_state_name(uint32_t state)
{
    return state < sizeof(state_names) / sizeof(state_names[0])
        ? state_names[state] : "?";
}

int cli_book_state_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(state_names) / sizeof(state_names[0]);
         i++) {
        if (strcmp(name, state_names[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

void cli_time_string(int64_t ns, char *buf, size_t cap)
{
    time_t secs = (time_t)(ns / 1000000000);
    long frac = (long)(ns % 1000000000);
    struct tm tm;
    char day[32];

    if (frac < 0) {
        frac += 1000000000;
        secs--;
    }
    if (gmtime_r(&secs, &tm) == NULL ||
        strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        snprintf(buf, cap, "%" PRId64 "ns", ns);
        return;
    }
    snprintf(buf, cap, "%s.%09ldZ", day, frac);
}

void cli_node_string(uint32_t node, char *buf, size_t cap)
{
    if (node == FAM_LIB_NODE_HOST) {
        snprintf(buf, cap, "host");
    } else {
        snprintf(buf, cap, "%" PRIu32, node);
    }
}

void cli_json_attr(CliJson *j, const struct fam_lib_attr *a)
{
    char mode[11];

    cli_mode_string(a->mode, mode);
    cli_json_u64(j, "id", a->id);
    cli_json_u64(j, "parent", a->parent);
    cli_json_str(j, "type", cli_type_name(a->mode));
    cli_json_u64(j, "mode", a->mode & 07777);
    cli_json_str(j, "mode_string", mode);
    cli_json_u64(j, "nlink", a->nlink);
    cli_json_u64(j, "uid", a->uid);
    cli_json_u64(j, "gid", a->gid);
    cli_json_u64(j, "size", a->size);
    cli_json_u64(j, "books", a->books);
    cli_json_u64(j, "opens", a->opens);
    cli_json_i64(j, "atime_ns", a->atime_ns);
    cli_json_i64(j, "mtime_ns", a->mtime_ns);
    cli_json_i64(j, "ctime_ns", a->ctime_ns);
}
