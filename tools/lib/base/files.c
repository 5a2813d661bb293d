// SPDX-License-Identifier: GPL-2.0
/*
 * Strict readers of one-value files, and whole-file writers (files.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <greenai/files.h>

/**
 * ga_path() - join a root and a relative path made from a format
 * @buf: the result
 * @size: its size
 * @root: "/" or a fixture tree; NULL means "/"
 * @fmt: the path under @root, printf-style, without a leading '/'
 *
 * Return: 0, or -ENAMETOOLONG when the result does not fit.
 */
int ga_path(char *buf, size_t size, const char *root, const char *fmt, ...)
{
	size_t n;
	va_list ap;
	int r;

	if (!root || !*root)
		root = "/";
	n = strlen(root);
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, root, n);
	if (buf[n - 1] != '/') {
		if (n + 1 >= size)
			return -ENAMETOOLONG;
		buf[n++] = '/';
	}
	va_start(ap, fmt);
	r = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= size - n)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * ga_read_str() - the contents of a small file, trailing newline removed
 * @path: the file
 * @buf: the result, NUL-terminated
 * @size: its size
 *
 * Return: 0, -errno of open() or read(), -EFBIG when the file does not
 * fit in @buf, -EINVAL when it holds a NUL byte.
 */
int ga_read_str(const char *path, char *buf, size_t size)
{
	char tmp[4096];
	ssize_t n;
	int fd, err = 0;

	if (size == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, tmp, sizeof(tmp));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	if (n > 0 && tmp[n - 1] == '\n')
		n--;
	if ((size_t)n >= size || (size_t)n >= sizeof(tmp) - 1)
		return -EFBIG;
	if (memchr(tmp, '\0', n))
		return -EINVAL;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return 0;
}

/**
 * ga_read_file() - the whole of a file of at most @max bytes
 * @path: the file
 * @max: the most it may hold
 * @buf: its contents, allocated, NUL-terminated (free() it)
 * @len: their length
 *
 * Return: 0, -errno of fopen() or reading, -EFBIG past @max, -ENOMEM.
 */
int ga_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	char *b = malloc(max + 1);
	FILE *f;
	size_t n;
	int r;

	if (!b)
		return -ENOMEM;
	f = fopen(path, "r");
	if (!f) {
		r = -errno;
		free(b);
		return r;
	}
	n = fread(b, 1, max + 1, f);
	r = ferror(f) ? -EIO : n > max ? -EFBIG : 0;
	fclose(f);
	if (r) {
		free(b);
		return r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/**
 * ga_parse_u64() - a whole string as an unsigned decimal number
 * @s: the string: digits only, no sign, no space
 * @val: the number
 *
 * Return: 0, -EINVAL when @s is not a number, -ERANGE above 2^64 - 1.
 */
int ga_parse_u64(const char *s, uint64_t *val)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*val = v;
	return 0;
}

/**
 * ga_parse_s64() - a whole string as a signed decimal number
 * @s: the string: an optional '-', then digits
 * @val: the number
 *
 * Return: 0, -EINVAL when @s is not a number, -ERANGE when out of range.
 */
int ga_parse_s64(const char *s, int64_t *val)
{
	const char *d = *s == '-' ? s + 1 : s;
	long long v;
	char *end;

	if (*d < '0' || *d > '9')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*val = v;
	return 0;
}

/**
 * ga_read_u64() - a file holding one unsigned decimal number
 * @path: the file
 * @val: the number
 *
 * Return: 0 or -errno (see sysfs.h).
 */
int ga_read_u64(const char *path, uint64_t *val)
{
	char buf[32];
	int err = ga_read_str(path, buf, sizeof(buf));

	if (err)
		return err == -EFBIG ? -EINVAL : err;
	return ga_parse_u64(buf, val);
}

/**
 * ga_read_s64() - a file holding one signed decimal number
 * @path: the file
 * @val: the number
 *
 * Return: 0 or -errno (see sysfs.h).
 */
int ga_read_s64(const char *path, int64_t *val)
{
	char buf[32];
	int err = ga_read_str(path, buf, sizeof(buf));

	if (err)
		return err == -EFBIG ? -EINVAL : err;
	return ga_parse_s64(buf, val);
}

/**
 * ga_xdg_path() - a user's file under an XDG base directory
 * @buf: the path
 * @size: its size
 * @xdg_var: the base directory's variable, "XDG_DATA_HOME"
 * @fallback: its default under $HOME, ".local/share"
 * @rel: the file under it, "greenai/ledger.db"
 *
 * Return: 0, -ENOENT without a home, -ENAMETOOLONG.
 */
int ga_xdg_path(char *buf, size_t size, const char *xdg_var,
		const char *fallback, const char *rel)
{
	const char *xdg = getenv(xdg_var), *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, size, "%s/%s", xdg, rel);
	else if (home && home[0] == '/')
		n = snprintf(buf, size, "%s/%s/%s", home, fallback, rel);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/**
 * ga_mkdir_parents() - make a file's directory and its parents
 * @path: the file
 * @mode: each new directory's mode (less the umask)
 *
 * Return: 0, -ENOTDIR when a part is not a directory, -ENAMETOOLONG, or
 * -errno of mkdir().
 */
int ga_mkdir_parents(const char *path, mode_t mode)
{
	char dir[GA_PATH_MAX], *p;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1;; p++) {
		struct stat st;
		char c = *p;

		if (c && c != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, mode) && errno != EEXIST)
			return -errno;
		if (stat(dir, &st))
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		if (!c)
			return 0;
		*p = '/';
	}
}

/*
 * A new file NAME.XXXXXX in @dirfd, of a name no one can foresee, made
 * with O_EXCL and O_NOFOLLOW (a link planted there is not followed):
 * its fd, its name in @tmp. Return: the fd, or -errno.
 */
static int ga_tmp_at(int dirfd, const char *name, char *tmp, size_t size)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[6];
	struct timespec ts;
	unsigned int tries, i;
	int fd;

	for (tries = 0; tries < 100; tries++) {
		if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) !=
		    (ssize_t)sizeof(rnd)) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			for (i = 0; i < sizeof(rnd); i++)
				rnd[i] = (unsigned char)((ts.tv_nsec >>
							  (i * 5)) ^
							 getpid() ^ tries);
		}
		if (snprintf(tmp, size, "%s.XXXXXX", name) >= (int)size)
			return -ENAMETOOLONG;
		for (i = 0; i < sizeof(rnd); i++)
			tmp[strlen(tmp) - 6 + i] =
				set[rnd[i] % (sizeof(set) - 1)];
		fd = openat(dirfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC,
			    0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/**
 * ga_write_atomic_at() - replace a file of a directory whole
 * @dirfd: the directory, open
 * @name: the file's name in it (no '/')
 * @data: its new contents
 * @len: their length
 * @mode: its mode, whether or not it was there
 * @flags: GA_WRITE_NO_SYNC: neither the file nor the directory is synced
 *	(a file rewritten often, of no worth after a crash)
 *
 * Writes a new file of a name no one can foresee in @dirfd (NAME.XXXXXX,
 * made with O_EXCL and O_NOFOLLOW), syncs it, renames it over @name
 * (whatever @name was, a symbolic link included, is replaced, never
 * followed) and syncs the directory; on error the new file is removed
 * and @name is as it was. Everything is relative to @dirfd: safe in a
 * directory someone else may change under it.
 *
 * Return: 0, -EINVAL for a name with '/', -ENAMETOOLONG, or -errno.
 */
int ga_write_atomic_at(int dirfd, const char *name, const void *data,
		       size_t len, mode_t mode, unsigned int flags)
{
	char tmp[NAME_MAX + 1];
	const char *p = data;
	int fd, r = 0;

	if (!name[0] || strchr(name, '/'))
		return -EINVAL;
	fd = ga_tmp_at(dirfd, name, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	if (fchmod(fd, mode))
		r = -errno;
	while (len && !r) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
		} else {
			p += n;
			len -= n;
		}
	}
	if (!r && !(flags & GA_WRITE_NO_SYNC) && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (!r && renameat(dirfd, tmp, dirfd, name))
		r = -errno;
	if (r) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	/* a file system that cannot sync a directory: fine */
	if (!(flags & GA_WRITE_NO_SYNC) && fsync(dirfd) && errno != EINVAL &&
	    errno != EROFS)
		return -errno;
	return 0;
}

/**
 * ga_write_atomic() - replace a file whole
 * @path: the file
 * @data: its new contents
 * @len: their length
 * @mode: its mode, whether or not it was there
 *
 * ga_write_atomic_at() in @path's directory, synced: the new contents
 * survive a crash.
 *
 * Return: 0, -ENAMETOOLONG, or -errno.
 */
int ga_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char dir[GA_PATH_MAX];
	const char *name;
	char *slash;
	int dfd, r;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash) {
		name = path;
		strcpy(dir, ".");
	} else {
		name = path + (slash - dir) + 1;
		if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	r = ga_write_atomic_at(dfd, name, data, len, mode, 0);
	close(dfd);
	return r;
}
