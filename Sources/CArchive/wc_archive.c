#include "wc_archive.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

static struct {
    struct archive *(*read_new)(void);
    int (*read_free)(struct archive *a);
    int (*read_support_filter_all)(struct archive *a);
    int (*read_support_format_tar)(struct archive *a);
    int (*read_support_format_gnutar)(struct archive *a);
    int (*read_support_format_zip_seekable)(struct archive *a);
    int (*read_open_filename)(struct archive *a, const char *filename, size_t block_size);
    int (*read_next_header)(struct archive *a, struct archive_entry **entry);
    int (*read_data_block)(struct archive *a, const void **buffer, size_t *size, la_int64_t *offset);
    const char *(*error_string)(struct archive *a);
    const char *(*entry_pathname)(struct archive_entry *e);
    const char *(*entry_hardlink)(struct archive_entry *e);
    const char *(*entry_symlink)(struct archive_entry *e);
    __LA_MODE_T (*entry_filetype)(struct archive_entry *e);
    la_int64_t (*entry_size)(struct archive_entry *e);
    __LA_MODE_T (*entry_perm)(struct archive_entry *e);
    time_t (*entry_mtime)(struct archive_entry *e);
    int loaded;
} la;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    const char *names[] = {"libarchive.so.13", "libarchive.so"};
    void *handle = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !handle; i++) handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!handle) return;
    int complete = 1;
    complete &= (*(void **)&la.read_new = dlsym(handle, "archive_read_new")) != NULL;
    complete &= (*(void **)&la.read_free = dlsym(handle, "archive_read_free")) != NULL;
    complete &= (*(void **)&la.read_support_filter_all = dlsym(handle, "archive_read_support_filter_all")) != NULL;
    complete &= (*(void **)&la.read_support_format_tar = dlsym(handle, "archive_read_support_format_tar")) != NULL;
    complete &= (*(void **)&la.read_support_format_gnutar = dlsym(handle, "archive_read_support_format_gnutar")) != NULL;
    complete &= (*(void **)&la.read_support_format_zip_seekable = dlsym(handle, "archive_read_support_format_zip_seekable")) != NULL;
    complete &= (*(void **)&la.read_open_filename = dlsym(handle, "archive_read_open_filename")) != NULL;
    complete &= (*(void **)&la.read_next_header = dlsym(handle, "archive_read_next_header")) != NULL;
    complete &= (*(void **)&la.read_data_block = dlsym(handle, "archive_read_data_block")) != NULL;
    complete &= (*(void **)&la.error_string = dlsym(handle, "archive_error_string")) != NULL;
    complete &= (*(void **)&la.entry_pathname = dlsym(handle, "archive_entry_pathname")) != NULL;
    complete &= (*(void **)&la.entry_hardlink = dlsym(handle, "archive_entry_hardlink")) != NULL;
    complete &= (*(void **)&la.entry_symlink = dlsym(handle, "archive_entry_symlink")) != NULL;
    complete &= (*(void **)&la.entry_filetype = dlsym(handle, "archive_entry_filetype")) != NULL;
    complete &= (*(void **)&la.entry_size = dlsym(handle, "archive_entry_size")) != NULL;
    complete &= (*(void **)&la.entry_perm = dlsym(handle, "archive_entry_perm")) != NULL;
    complete &= (*(void **)&la.entry_mtime = dlsym(handle, "archive_entry_mtime")) != NULL;
    la.loaded = complete;
}

const char *wca_load_error(void) {
    pthread_once(&once, load);
    return la.loaded ? NULL : "libarchive (libarchive.so.13) could not be loaded; install libarchive13";
}

struct archive *wca_read_new(void) { return la.read_new(); }
int wca_read_free(struct archive *a) { return la.read_free(a); }
int wca_read_support_filter_all(struct archive *a) { return la.read_support_filter_all(a); }
int wca_read_support_format_tar(struct archive *a) { return la.read_support_format_tar(a); }
int wca_read_support_format_gnutar(struct archive *a) { return la.read_support_format_gnutar(a); }
int wca_read_support_format_zip_seekable(struct archive *a) { return la.read_support_format_zip_seekable(a); }
int wca_read_open_filename(struct archive *a, const char *filename, size_t block_size) { return la.read_open_filename(a, filename, block_size); }
int wca_read_next_header(struct archive *a, struct archive_entry **entry) { return la.read_next_header(a, entry); }
int wca_read_data_block(struct archive *a, const void **buffer, size_t *size, la_int64_t *offset) { return la.read_data_block(a, buffer, size, offset); }
const char *wca_error_string(struct archive *a) { return la.error_string(a); }
const char *wca_entry_pathname(struct archive_entry *e) { return la.entry_pathname(e); }
const char *wca_entry_hardlink(struct archive_entry *e) { return la.entry_hardlink(e); }
const char *wca_entry_symlink(struct archive_entry *e) { return la.entry_symlink(e); }
__LA_MODE_T wca_entry_filetype(struct archive_entry *e) { return la.entry_filetype(e); }
la_int64_t wca_entry_size(struct archive_entry *e) { return la.entry_size(e); }
__LA_MODE_T wca_entry_perm(struct archive_entry *e) { return la.entry_perm(e); }
time_t wca_entry_mtime(struct archive_entry *e) { return la.entry_mtime(e); }
