/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Numbered names in sysfs, as the energy sources meet them: devices
 * ("hwmon3", "card0") and attributes ("energy2_input", "power1_average"),
 * a decimal number between a prefix and a suffix.
 */
#ifndef _GREENAI_SYSFS_NAMES_H
#define _GREENAI_SYSFS_NAMES_H

#include <stdbool.h>

bool ga_sysfs_num(const char *name, const char *prefix, const char *suffix,
		  unsigned int max, unsigned int *n);
int ga_sysfs_list_num(const char *dir, const char *prefix, unsigned int max,
		      unsigned int **out);

#endif /* _GREENAI_SYSFS_NAMES_H */
