/* MUTANT 01.3: the length counting the terminating NUL (strlen + 1): sethostname(2)
 * takes the bytes of the name alone, and refuses the longest one, 64 bytes, with EINVAL */
	if (sethostname(c->hostname, strlen(c->hostname) + 1) < 0)
		return nook_fail(err, errno, "sethostname(\"%s\")", c->hostname);
