/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of an enum's values, as flags and keys say them: a table indexed
 * by the value, looked up by name.
 */
#ifndef _GREENAI_NAMES_H
#define _GREENAI_NAMES_H

int ga_name_index(const char *const *names, unsigned int nr,
		  const char *name);

#endif /* _GREENAI_NAMES_H */
