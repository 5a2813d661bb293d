// SPDX-License-Identifier: GPL-2.0
/*
 * Exact decimals in thousandths (decimal.h).
 */
#include <ctype.h>
#include <errno.h>

#include "base/decimal.h"

/**
 * ga_parse_milli() - a plain decimal number, in thousandths
 * @s: digits, optionally a '.' and one to three more digits ("0.5", "12")
 * @max_milli: the largest value accepted, in thousandths
 * @milli: the value times 1000
 *
 * Return: 0, or -EINVAL for anything else (a sign, an exponent, spaces,
 * a fourth decimal, "12.", ".5") or a value above @max_milli.
 */
int ga_parse_milli(const char *s, uint64_t max_milli, uint64_t *milli)
{
	uint64_t v = 0;
	int frac = -1;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; *s; s++) {
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s) || frac == 3)
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (frac >= 0)
			frac++;
		if (v > max_milli)
			return -EINVAL;
	}
	if (frac == 0)
		return -EINVAL;
	for (frac = frac < 0 ? 0 : frac; frac < 3; frac++)
		v *= 10;
	if (v > max_milli)
		return -EINVAL;
	*milli = v;
	return 0;
}
