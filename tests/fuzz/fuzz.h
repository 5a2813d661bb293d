/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets share: the input as a NUL-terminated string,
 * and a small file tree made from the input for the parsers that read
 * trees (powercap, hwmon, a runtime's files), under a fresh directory in
 * /dev/shm, removed after.
 *
 * A tree input is lines "PATH=CONTENT" (a file; "\n" in CONTENT written
 * as "\\n") or "PATH->TARGET" (a symbolic link); PATH is relative, made of
 * components other than "." and "..", under the given prefix. Lines that
 * are not that are skipped: the parsers see only well-formed trees, and
 * the fuzzer spends its time on their contents.
 */
#ifndef _GREENAI_FUZZ_H
#define _GREENAI_FUZZ_H

/* (built with -D_GNU_SOURCE: nftw, mkdtemp) */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* @data as a string (freed by the caller). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static inline int fuzz_path_ok(const char *p)
{
	const char *c = p;

	if (!*p || *p == '/')
		return 0;
	while (*c) {
		size_t n = strcspn(c, "/");

		if (!n || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		c += n;
		if (*c == '/')
			c++;
	}
	return 1;
}

/* mkdir -p of @path's parent directories. */
static inline void fuzz_mkdirs(char *path)
{
	char *s;

	for (s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
}

/*
 * A tree from @data under <new dir>/@prefix; the new dir's path into
 * @root (PATH_MAX). Return: 0, or -1 when no directory could be made.
 */
static inline int fuzz_tree(const uint8_t *data, size_t size,
			    const char *prefix, char *root)
{
	char *text = fuzz_str(data, size), *line, *save = NULL;

	snprintf(root, 4096, "/dev/shm/greenai-fuzz-XXXXXX");
	if (!mkdtemp(root)) {
		free(text);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char path[4096], *eq = strchr(line, '='), *arrow;
		char *v, *w;
		int fd;

		arrow = strstr(line, "->");
		if (arrow && (!eq || arrow < eq)) {
			*arrow = '\0';
			if (!fuzz_path_ok(line) || !arrow[2] ||
			    snprintf(path, sizeof(path), "%s/%s/%s", root,
				     prefix, line) >= (int)sizeof(path))
				continue;
			fuzz_mkdirs(path);
			if (symlink(arrow + 2, path))
				continue;
			continue;
		}
		if (!eq)
			continue;
		*eq = '\0';
		if (!fuzz_path_ok(line) ||
		    snprintf(path, sizeof(path), "%s/%s/%s", root, prefix,
			     line) >= (int)sizeof(path))
			continue;
		fuzz_mkdirs(path);
		for (v = w = eq + 1; *v; v++, w++) {
			if (v[0] == '\\' && v[1] == 'n') {
				*w = '\n';
				v++;
			} else {
				*w = *v;
			}
		}
		*w = '\0';
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
			  0644);
		if (fd < 0)
			continue;
		if (write(fd, eq + 1, strlen(eq + 1)) < 0) {
			close(fd);
			continue;
		}
		close(fd);
	}
	free(text);
	return 0;
}

static inline int fuzz_rm(const char *path, const struct stat *st, int flag,
			  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void fuzz_tree_remove(const char *root)
{
	nftw(root, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* _GREENAI_FUZZ_H */
