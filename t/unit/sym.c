/*
 * Unit tests of lib/sym.c: the FNV-1a 64 routing hash against published
 * vectors, and interning (dense stable ids, lookups, names, release).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "sym.h"
#include "banned.h"

#define NSYM 100000

static void
test_hash(void)
{
	/* from the FNV reference test suite (fnv.h, "fnv1a64") */
	ok(sym_hash("", 0) == 0xcbf29ce484222325ULL, "FNV-1a 64 of \"\"");
	ok(sym_hash("a", 1) == 0xaf63dc4c8601ec8cULL, "FNV-1a 64 of \"a\"");
	ok(sym_hash("foobar", 6) == 0x85944171f73967e8ULL,
	    "FNV-1a 64 of \"foobar\"");
	ok(sym_hash("\xff\x00\x00\x01", 4) == 0x6961196491cc682dULL,
	    "FNV-1a 64 of \"\\xff\\0\\0\\1\"");
	ok(sym_hash("foobarbaz", 6) == 0x85944171f73967e8ULL,
	    "sym_hash uses only len bytes");
	/*
	 * Computed apart, by FNV-1a 64 from its definition in python3 (the
	 * same lines give the reference vectors above):
	 *	h = 0xcbf29ce484222325
	 *	for c in b"\xff": h = (h ^ c) * 0x100000001b3 % 2**64
	 * A sign-extended char would xor in 0xffffffffffffffff instead and
	 * give 0x509c41b379fe466e.
	 */
	ok(sym_hash("\xff", 1) == 0xaf64724c8602eb6eULL,
	    "bytes are hashed unsigned: FNV-1a 64 of \"\\xff\"");
	/* python3 as above, with b"AAPL" and b"AAPM" */
	ok(sym_hash("AAPL", 4) == 0x89106b8b9f086ccbULL &&
	    sym_hash("AAPM", 4) == 0x89106a8b9f086b18ULL,
	    "FNV-1a 64 of \"AAPL\" and \"AAPM\"");
}

static void
name_of(char *out, size_t cap, int i)
{
	/* names of 1 to 12 bytes, shared prefixes, like real tickers */
	static const char *const suffix[] = { "", ".A", "-W", ".PR", "X" };

	snprintf(out, cap, "S%d%s", i / 5, suffix[i % 5]);
}

static void
test_intern(void)
{
	struct symtab t = SYMTAB_INIT;
	char name[32];
	uint32_t id;
	int i, nbad;

	ok(sym_find(&t, "AAPL", 4) == -1, "sym_find on an empty table");

	nbad = 0;
	for (i = 0; i < NSYM; i++) {
		name_of(name, sizeof(name), i);
		id = sym_intern(&t, name, strlen(name));
		if (id != (uint32_t)i && nbad++ < 5)
			printf("# %s got id %u, want %d\n", name, id, i);
	}
	is_int(nbad, 0, "%d new symbols get ids 0..%d in order", NSYM,
	    NSYM - 1);
	is_int(t.n, NSYM, "the table holds %d symbols", NSYM);

	nbad = 0;
	for (i = NSYM - 1; i >= 0; i--) {
		name_of(name, sizeof(name), i);
		if ((sym_intern(&t, name, strlen(name)) != (uint32_t)i ||
		    sym_find(&t, name, strlen(name)) != i ||
		    strcmp(sym_name(&t, (uint32_t)i), name) != 0) &&
		    nbad++ < 5)
			printf("# %s: ids not stable\n", name);
	}
	is_int(nbad, 0, "interning again, sym_find and sym_name agree");
	is_int(t.n, NSYM, "interning again adds nothing");

	nbad = 0;
	for (i = 0; i < NSYM; i++) {
		snprintf(name, sizeof(name), "Z%d", i);
		if (sym_find(&t, name, strlen(name)) != -1 && nbad++ < 5)
			printf("# %s found\n", name);
	}
	is_int(nbad, 0, "%d absent names are not found", NSYM);
	is_int(sym_find(&t, "S1", 1), -1, "S, a prefix of every name, is "
	    "absent");
	ok(sym_find(&t, "S1.AB", 4) == 6 && sym_find(&t, "S1.A", 3) == -1,
	    "len bounds the name (S1.A is id 6, S1. is absent)");
	symtab_release(&t);
	ok(t.n == 0 && t.names == NULL && sym_find(&t, "S0", 2) == -1,
	    "symtab_release empties the table");

	/* usable again; names not NUL-terminated; the empty name */
	is_int(sym_intern(&t, "MSFT,AAPL", 4), 0, "first id after release");
	is_int(sym_intern(&t, "AAPL\n", 4), 1, "a name from a longer buffer");
	is_str(sym_name(&t, 0), "MSFT", "names are copied and terminated");
	is_str(sym_name(&t, 1), "AAPL", "second name");
	is_int(sym_intern(&t, "", 0), 2, "the empty name is a name");
	is_int(sym_find(&t, "", 0), 2, "and can be found");
	is_int(sym_find(&t, "MSF", 3), -1, "a prefix is not found");
	is_int(sym_find(&t, "MSFTX", 5), -1, "a longer name is not found");
	symtab_release(&t);
}

/*
 * A name with a NUL byte in it (json_str decodes "\u0000" into one):
 * the table compares with strncmp, which stops at the NUL.  Find names
 * "a\0X" that probe the slot of "a" and look them up.
 */
static int
nul_lookup(const void *arg)
{
	struct symtab t = SYMTAB_INIT;
	char s[3] = { 'a', '\0', 0 };
	int c, probes = 0;
	long id;

	(void)arg;
	sym_intern(&t, "a", 1);
	for (c = 1; c < 256 && probes < 8; c++) {
		s[2] = (char)c;
		if ((sym_hash(s, 3) & (t.nslots - 1)) !=
		    (sym_hash("a", 1) & (t.nslots - 1)))
			continue;
		probes++;
		id = sym_find(&t, s, 3);
		if (id != -1)
			return 1;	/* "a\0X" found as "a" */
	}
	symtab_release(&t);
	return probes ? 0 : 2;
}

static void
test_nul(void)
{
	pid_t pid;
	int st = 0, fd;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		_exit(nul_lookup(NULL));
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "\"a\\0X\" is not found as \"a\""))
		printf("#   child %s %d\n", WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int
main(void)
{
	test_hash();
	test_intern();
	test_nul();
	return done_testing();
}
