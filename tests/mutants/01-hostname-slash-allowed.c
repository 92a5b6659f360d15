/* MUTANT 01.2: only what sethostname(2) refuses is refused: a '/' or a space goes through,
   and ends up in prompts and file names built from the hostname. */
	size_t len = strlen(name);

	if (len == 0 || len > HOST_NAME_MAX)
		return nook_fail(err, 0, "invalid hostname: %zu bytes, 1 to %d", len,
				 HOST_NAME_MAX);
