/*
 * Finding a shipped model by name: "tm-2016" is DIR/tm-2016.ini. Anything
 * that looks like a path is used as it is, so users can point at their own
 * edited copy without installing it.
 */
#include "fam-model-int.h"

#include <string.h>

/* Names are file names without a directory part: no '/', no leading '.',
 * so a name can never reach outside DIR. */
static bool valid_name(const char *name)
{
    if (name[0] == '\0' || name[0] == '.') {
        return false;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.') {
            return false;
        }
    }
    return true;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char **fam_model_list(const char *dir)
{
    GPtrArray *names = g_ptr_array_new();
    GDir *d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    const char *f;

    while (d != NULL && (f = g_dir_read_name(d)) != NULL) {
        size_t len = strlen(f);
        size_t slen = strlen(FAM_MODEL_SUFFIX);

        if (len > slen && strcmp(f + len - slen, FAM_MODEL_SUFFIX) == 0 &&
            f[0] != '.') {
            g_ptr_array_add(names, g_strndup(f, len - slen));
        }
    }
    if (d != NULL) {
        g_dir_close(d);
    }
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

char *fam_model_find(const char *name, const char *dir, GError **errp)
{
    char *file, *path, *known;
    char **names;

    if (name == NULL || name[0] == '\0') {
        g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_NOT_FOUND,
                    "no fabric model named");
        return NULL;
    }
    if (strchr(name, '/') != NULL ||
        g_str_has_suffix(name, FAM_MODEL_SUFFIX)) {
        if (!g_file_test(name, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_NOT_FOUND,
                        "%s: no such fabric model file", name);
            return NULL;
        }
        return g_strdup(name);
    }
    if (dir != NULL && valid_name(name)) {
        file = g_strconcat(name, FAM_MODEL_SUFFIX, NULL);
        path = g_build_filename(dir, file, NULL);
        g_free(file);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            return path;
        }
        g_free(path);
    }
    names = fam_model_list(dir);
    known = g_strjoinv(", ", names);
    g_set_error(errp, FAM_MODEL_ERROR, FAM_MODEL_ERROR_NOT_FOUND,
                "no fabric model '%s' in %s (models there: %s)", name,
                dir ? dir : "(no models directory)",
                known[0] ? known : "none");
    g_free(known);
    g_strfreev(names);
    return NULL;
}
