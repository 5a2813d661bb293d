// SPDX-License-Identifier: GPL-2.0
/*
 * A program that calls a function private to libgreenai (the accounting's
 * ga_acct_new()): against the installed shared library it must not link
 * (tests/host/install.bats).
 */
struct ga_acct;
struct ga_acct_conf;
int ga_acct_new(struct ga_acct **out, const struct ga_acct_conf *conf);

int main(void)
{
	struct ga_acct *a;

	return ga_acct_new(&a, 0);
}
