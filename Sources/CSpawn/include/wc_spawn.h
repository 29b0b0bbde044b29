#ifndef WC_SPAWN_H
#define WC_SPAWN_H

#include <spawn.h>

/* glibc's posix_spawn extensions, which Swift's Glibc module does not show (they need
   _GNU_SOURCE): the child's working folder, and closing every descriptor from `from` up. */
int wc_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
int wc_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/* Whether the file system holding `path` is a tmpfs (statfs, which Swift's Glibc does not show). */
int wc_is_tmpfs(const char *path);

#endif
