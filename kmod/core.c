// SPDX-License-Identifier: GPL-2.0
/*
 * The attribution core (include/greenai/attrib.c), compiled into the
 * module from its one source, which libgreenai also compiles: this file
 * only gives Kbuild an object in this directory for it.
 */
#include <greenai/attrib.c>
