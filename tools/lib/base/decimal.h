/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decimal numbers as users write them on command lines and in config
 * files ("56.25", "1.2"), read exactly into thousandths: no floating
 * point between what the user wrote and the integer the code uses.
 */
#ifndef _GREENAI_DECIMAL_H
#define _GREENAI_DECIMAL_H

#include <stdint.h>

int ga_parse_milli(const char *s, uint64_t max_milli, uint64_t *milli);

#endif /* _GREENAI_DECIMAL_H */
