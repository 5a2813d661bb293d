/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading sysfs-style files (one value per file) under a root directory,
 * with strict parsing: the whole file must be the value, an optional
 * trailing newline aside. Every function returns 0 or a negative errno
 * (-ENOENT: no such file, -EACCES: not readable by this user, -EINVAL:
 * not a well-formed value, -ERANGE: out of range) and leaves its output
 * untouched on error.
 *
 * The root ("/" normally) is what tests override with a fixture tree
 * (--sysfs-root): paths are always given relative to it, e.g.
 * "sys/class/powercap".
 */
#ifndef _GREENAI_SYSFS_H
#define _GREENAI_SYSFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest path the readers build, root included. */
#define GA_PATH_MAX	4096

int ga_path(char *buf, size_t size, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int ga_read_str(const char *path, char *buf, size_t size);
int ga_read_file(const char *path, size_t max, char **buf, size_t *len);
int ga_read_u64(const char *path, uint64_t *val);
int ga_read_s64(const char *path, int64_t *val);
int ga_parse_u64(const char *s, uint64_t *val);
int ga_parse_s64(const char *s, int64_t *val);

/*
 * Writing: make a file's directory and its parents (each @mode, umask
 * aside); replace a file whole with @len bytes, mode @mode exactly, by a
 * new file of an unforeseeable name (O_EXCL) beside it renamed over it,
 * so that a reader sees the old contents or the new, never a part.
 */
int ga_mkdir_parents(const char *path, mode_t mode);
/*
 * A user's file under an XDG base directory: $XDG_VAR/REL when XDG_VAR is
 * an absolute path, else $HOME/FALLBACK/REL ("XDG_STATE_HOME",
 * ".local/state", "greenai/idle-power"). Return: 0, -ENOENT without a
 * home, -ENAMETOOLONG.
 */
int ga_xdg_path(char *buf, size_t size, const char *xdg_var,
		const char *fallback, const char *rel);
int ga_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode);
/*
 * The same relative to an open directory, never following a link in it;
 * GA_WRITE_NO_SYNC for a file rewritten often that need not survive a
 * crash.
 */
#define GA_WRITE_NO_SYNC (1u << 0)
int ga_write_atomic_at(int dirfd, const char *name, const void *data,
		       size_t len, mode_t mode, unsigned int flags);

#endif /* _GREENAI_SYSFS_H */
