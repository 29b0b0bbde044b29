#ifndef WC_ARCHIVE_H
#define WC_ARCHIVE_H
/* libarchive (its types and constants from its headers), loaded with dlopen on first use:
   loading it and the ten libraries it needs costs every process about 2 ms, and a cache hit
   never reads an archive. Each wca_X calls libarchive's archive_X. */
#include <archive.h>
#include <archive_entry.h>

/* NULL once libarchive is loaded; else why it cannot be (call before any wca_ function). */
const char *wca_load_error(void);

struct archive *wca_read_new(void);
int wca_read_free(struct archive *a);
int wca_read_support_filter_all(struct archive *a);
int wca_read_support_format_tar(struct archive *a);
int wca_read_support_format_gnutar(struct archive *a);
int wca_read_support_format_zip_seekable(struct archive *a);
int wca_read_open_filename(struct archive *a, const char *filename, size_t block_size);
int wca_read_next_header(struct archive *a, struct archive_entry **entry);
int wca_read_data_block(struct archive *a, const void **buffer, size_t *size, la_int64_t *offset);
const char *wca_error_string(struct archive *a);
const char *wca_entry_pathname(struct archive_entry *e);
const char *wca_entry_hardlink(struct archive_entry *e);
const char *wca_entry_symlink(struct archive_entry *e);
__LA_MODE_T wca_entry_filetype(struct archive_entry *e);
la_int64_t wca_entry_size(struct archive_entry *e);
__LA_MODE_T wca_entry_perm(struct archive_entry *e);
time_t wca_entry_mtime(struct archive_entry *e);

#endif
