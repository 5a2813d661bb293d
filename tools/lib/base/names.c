// SPDX-License-Identifier: GPL-2.0
/*
 * Names of an enum's values (names.h).
 */
#include <errno.h>
#include <string.h>

#include <greenai/names.h>

/**
 * ga_name_index() - which value a name is
 * @names: the names, indexed by value; NULL for a value without one
 * @nr: how many
 * @name: the name looked up, whole and in the same case
 *
 * Return: the value, or -EINVAL when no value has that name.
 */
int ga_name_index(const char *const *names, unsigned int nr, const char *name)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (names[i] && !strcmp(name, names[i]))
			return i;
	return -EINVAL;
}
