/*
 * The fuzzer's seed corpus: one file per sample request (every opcode),
 * and one file with all of them in a row, which fuzz-request.c splits
 * into messages and runs in order against one Librarian (make a
 * directory and a file, open, grow, list, take apart).
 *
 *   make-fuzz-corpus DIR           write the seeds into DIR
 *   make-fuzz-corpus --check DIR   exit 1 if DIR's seeds differ from
 *                                  what this build would write
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/proto-samples.h"

/* All samples in a row fit in this. */
#define SEQ_MAX (PROTO_SAMPLES * FAM_LIB_MSG_MAX)

typedef struct Seed {
    char name[64];
    unsigned char *data;
    size_t len;
} Seed;

static void lower(char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            *s = (char)(*s - 'A' + 'a');
        }
    }
}

/* Fill seeds[0..PROTO_SAMPLES] (the last is the sequence). */
static int make_seeds(Seed *seeds)
{
    unsigned char *seq = malloc(SEQ_MAX);
    size_t seq_len = 0;

    if (!seq) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < PROTO_SAMPLES; i++) {
        Seed *s = &seeds[i];
        int n;

        s->data = malloc(FAM_LIB_MSG_MAX);
        if (!s->data) {
            return -ENOMEM;
        }
        n = proto_sample_build(s->data, FAM_LIB_MSG_MAX, &proto_samples[i],
                               (uint32_t)i + 1);
        if (n <= 0) {
            fprintf(stderr, "error: sample %zu does not build (%d)\n", i,
                    n);
            return -EINVAL;
        }
        s->len = (size_t)n;
        snprintf(s->name, sizeof(s->name), "%02zu-%s", i,
                 fam_lib_op_name(proto_samples[i].op));
        lower(s->name);
        memcpy(seq + seq_len, s->data, s->len);
        seq_len += s->len;
    }
    seeds[PROTO_SAMPLES].data = seq;
    seeds[PROTO_SAMPLES].len = seq_len;
    snprintf(seeds[PROTO_SAMPLES].name, sizeof(seeds[0].name),
             "seq-all-samples");
    return 0;
}

static int write_seed(const char *dir, const Seed *s)
{
    char path[4096];
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "%s/%s", dir, s->name);
    f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "error: cannot write %s: %s\n", path,
                strerror(errno));
        return 1;
    }
    ok = fwrite(s->data, 1, s->len, f) == s->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        fprintf(stderr, "error: cannot write %s\n", path);
    }
    return !ok;
}

static int check_seed(const char *dir, const Seed *s)
{
    char path[4096];
    unsigned char *buf = malloc(s->len + 1);
    size_t got = 0;
    FILE *f;
    int same;

    snprintf(path, sizeof(path), "%s/%s", dir, s->name);
    f = fopen(path, "rb");
    if (f && buf) {
        got = fread(buf, 1, s->len + 1, f);
    }
    same = f && buf && got == s->len && memcmp(buf, s->data, s->len) == 0;
    if (f) {
        fclose(f);
    }
    free(buf);
    if (!same) {
        fprintf(stderr, "error: %s is missing or out of date\n", path);
    }
    return !same;
}

int main(int argc, char **argv)
{
    Seed seeds[PROTO_SAMPLES + 1];
    int check = argc == 3 && strcmp(argv[1], "--check") == 0;
    const char *dir = argv[argc - 1];
    int bad = 0;

    if (!(argc == 2 && argv[1][0] != '-') && !check) {
        fprintf(stderr, "usage: %s [--check] DIR\n", argv[0]);
        return 2;
    }
    memset(seeds, 0, sizeof(seeds));
    if (make_seeds(seeds) < 0) {
        return 1;
    }
    for (size_t i = 0; i <= PROTO_SAMPLES; i++) {
        bad |= check ? check_seed(dir, &seeds[i]) : write_seed(dir, &seeds[i]);
        free(seeds[i].data);
    }
    if (bad && check) {
        fprintf(stderr, "fix: regenerate the seeds with "
                "build/librarian/proto/make-fuzz-corpus %s\n", dir);
    }
    return bad;
}
