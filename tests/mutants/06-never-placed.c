/* MUTANT 06.3: the child is never placed: it runs in nook's own group, unlimited — the
   limits are written to a group nobody is in. */
	(void)err;
