/* MUTANT 01.3: the length as sizeof(c->hostname), the size of a pointer: a hostname
 * longer than 8 bytes comes out cut to its first 8 ("abcdefgh") */
	if (sethostname(c->hostname, sizeof(c->hostname)) < 0)
		return nook_fail(err, errno, "sethostname(\"%s\")", c->hostname);
