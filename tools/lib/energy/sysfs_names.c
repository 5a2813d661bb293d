// SPDX-License-Identifier: GPL-2.0
/*
 * Numbered names in sysfs (sysfs_names.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "energy/sysfs_names.h"

/**
 * ga_sysfs_num() - whether @name is "<prefix>N<suffix>"
 * @name: a directory entry's name
 * @prefix: what comes before the number
 * @suffix: what comes after it, "" for nothing
 * @max: the largest number taken
 * @n: the number
 *
 * N is one digit or more, no sign, at most @max.
 */
bool ga_sysfs_num(const char *name, const char *prefix, const char *suffix,
		  unsigned int max, unsigned int *n)
{
	size_t lp = strlen(prefix);
	unsigned long v = 0;
	const char *p;

	if (strncmp(name, prefix, lp))
		return false;
	p = name + lp;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > max)
			return false;
	}
	if (strcmp(p, suffix))
		return false;
	*n = v;
	return true;
}

static int ga_cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/**
 * ga_sysfs_list_num() - the numbers N of the entries "<prefix>N" of @dir
 * @dir: the directory
 * @prefix: the entries' common prefix
 * @max: the largest number taken
 * @out: the numbers, sorted; free() them
 *
 * Return: how many, or -errno.
 */
int ga_sysfs_list_num(const char *dir, const char *prefix, unsigned int max,
		      unsigned int **out)
{
	unsigned int *v = NULL, *nv, nr = 0, cap = 0, n;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!ga_sysfs_num(de->d_name, prefix, "", max, &n))
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[nr++] = n;
	}
	closedir(d);
	if (nr)
		qsort(v, nr, sizeof(*v), ga_cmp_uint);
	*out = v;
	return nr;
}
