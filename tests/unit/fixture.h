/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files and trees for the unit tests: a temporary directory, a copy of a
 * fixture tree of tests/fixtures (GA_FIXTURES) in one, files written,
 * removed and chmod-ed under it, its removal (also as a cmocka teardown,
 * FIX_TEST), a small reproducible random number generator, ARRAY_SIZE.
 *
 * Every helper but fix_rm() fails the running test (a cmocka assert) when
 * the file system refuses; fix_rm() returns, so that teardowns can use it.
 * Paths are at most FIX_PATH_MAX bytes; "rel" arguments are relative to a
 * directory, without a leading '/'.
 *
 * The Makefile builds each tests/unit/test_*.c as a program of its own
 * linked with libgreenai only, so these are static inline functions in a
 * header. Include it after <cmocka.h>.
 */
#ifndef _GREENAI_TEST_FIXTURE_H
#define _GREENAI_TEST_FIXTURE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIX_PATH_MAX PATH_MAX

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* @dir/@rel, or @dir when @rel is NULL, into @buf of FIX_PATH_MAX. */
static inline void fix_path(char *buf, const char *dir, const char *rel)
{
	int n = rel ? snprintf(buf, FIX_PATH_MAX, "%s/%s", dir, rel) :
		      snprintf(buf, FIX_PATH_MAX, "%s", dir);

	assert_true(n > 0 && n < FIX_PATH_MAX);
}

/* Make @dir/@rel (@dir when @rel is NULL) and its missing parents. */
static inline void fix_mkdirs(const char *dir, const char *rel)
{
	char path[FIX_PATH_MAX], *p;

	fix_path(path, dir, rel);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(!mkdir(path, 0755) || errno == EEXIST);
		*p = '/';
	}
	assert_true(!mkdir(path, 0755) || errno == EEXIST);
}

/*
 * A new empty directory under /tmp, into @dir of FIX_PATH_MAX; mode 0755,
 * so that a test dropped to another user can read what is put in it.
 */
static inline void fix_tmpdir(char *dir)
{
	strcpy(dir, "/tmp/greenai-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
}

/* The same, allocated: for a cmocka state that fix_teardown() removes. */
static inline char *fix_tmpdir_new(void)
{
	char *dir = malloc(FIX_PATH_MAX);

	assert_non_null(dir);
	fix_tmpdir(dir);
	return dir;
}

/* Copy file @from to new file @to, with mode @mode. */
static inline void fix_copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[1 << 16];
	int in, out;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	assert_true(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, n), n);
	assert_int_equal(n, 0);
	assert_int_equal(close(in), 0);
	assert_int_equal(close(out), 0);
}

/* Copy symlink @from to @to: the same target, not what it points to. */
static inline void fix_copy_link(const char *from, const char *to)
{
	char target[FIX_PATH_MAX];
	ssize_t n;

	n = readlink(from, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_int_equal(symlink(target, to), 0);
}

/* Copy what directory @from holds into directory @to, modes kept. */
static inline void fix_copy_tree(const char *from, const char *to)
{
	char a[FIX_PATH_MAX], b[FIX_PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	d = opendir(from);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		fix_path(a, from, de->d_name);
		fix_path(b, to, de->d_name);
		assert_int_equal(lstat(a, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			assert_int_equal(mkdir(b, 0755), 0);
			fix_copy_tree(a, b);
			assert_int_equal(chmod(b, st.st_mode & 07777), 0);
		} else if (S_ISLNK(st.st_mode)) {
			fix_copy_link(a, b);
		} else {
			fix_copy_file(a, b, st.st_mode & 07777);
		}
	}
	assert_int_equal(closedir(d), 0);
}

/* A copy of fixture tree @name in a new temporary directory, @dir. */
static inline void fix_copy(const char *name, char *dir)
{
	char from[FIX_PATH_MAX];

	fix_path(from, GA_FIXTURES, name);
	fix_tmpdir(dir);
	fix_copy_tree(from, dir);
}

/* The same, allocated: for a cmocka state that fix_teardown() removes. */
static inline char *fix_copy_new(const char *name)
{
	char from[FIX_PATH_MAX], *dir;

	fix_path(from, GA_FIXTURES, name);
	dir = fix_tmpdir_new();
	fix_copy_tree(from, dir);
	return dir;
}

/*
 * Remove @path and everything under it; symlinks are removed, not
 * followed. Return: 0, or -1 when something could not be removed.
 */
static inline int fix_rm(const char *path)
{
	char sub[FIX_PATH_MAX];
	struct dirent *de;
	struct stat st;
	int err = 0;
	DIR *d;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? -1 : 0;
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >=
			    (int)sizeof(sub) ||
		    fix_rm(sub))
			err = -1;
	}
	closedir(d);
	return rmdir(path) ? -1 : err;
}

/*
 * A cmocka teardown: remove the directory in *@state, if any, and free it.
 * A test that puts there what fix_tmpdir_new() or fix_copy_new() gave
 * leaves nothing behind, even when it fails.
 */
static inline int fix_teardown(void **state)
{
	int err = 0;

	if (*state) {
		err = fix_rm(*state);
		free(*state);
		*state = NULL;
	}
	return err;
}

/* A test whose state is such a directory, or NULL. */
#define FIX_TEST(f) cmocka_unit_test_teardown(f, fix_teardown)

/*
 * Write @len bytes of @data to file @dir/@rel (@dir when @rel is NULL),
 * making the directories on the way.
 */
static inline void fix_write_data(const char *dir, const char *rel,
				  const void *data, size_t len)
{
	char path[FIX_PATH_MAX], *slash;
	int fd;

	fix_path(path, dir, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	fix_mkdirs(path, NULL);
	*slash = '/';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Write @text to file @dir/@rel, making its directories. */
static inline void fix_write(const char *dir, const char *rel, const char *text)
{
	fix_write_data(dir, rel, text, strlen(text));
}

/* The same with printf's format. */
static inline void fix_writef(const char *dir, const char *rel, const char *fmt,
			      ...) __attribute__((format(printf, 3, 4)));

static inline void fix_writef(const char *dir, const char *rel, const char *fmt,
			      ...)
{
	va_list ap, again;
	char *text;
	int n;

	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	assert_true(n >= 0);
	text = malloc(n + 1);
	assert_non_null(text);
	vsnprintf(text, n + 1, fmt, again);
	va_end(again);
	va_end(ap);
	fix_write_data(dir, rel, text, n);
	free(text);
}

/* Write "@v\n" to file @dir/@rel: a sysfs value. */
static inline void fix_write_u64(const char *dir, const char *rel, uint64_t v)
{
	fix_writef(dir, rel, "%llu\n", (unsigned long long)v);
}

static inline void fix_unlink(const char *dir, const char *rel)
{
	char path[FIX_PATH_MAX];

	fix_path(path, dir, rel);
	assert_int_equal(unlink(path), 0);
}

static inline void fix_chmod(const char *dir, const char *rel, mode_t mode)
{
	char path[FIX_PATH_MAX];

	fix_path(path, dir, rel);
	assert_int_equal(chmod(path, mode), 0);
}

/*
 * xorshift64*: the next of a reproducible sequence of pseudo-random
 * numbers, from and into *@state (any value but 0 to start).
 */
static inline uint64_t fix_rng(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

#endif /* _GREENAI_TEST_FIXTURE_H */
