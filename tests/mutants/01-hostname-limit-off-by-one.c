/* MUTANT 01.2: HOST_NAME_MAX read as the buffer size, NUL included: a 64-byte hostname,
   which the kernel takes, is refused. */
	size_t len = strlen(name);

	if (len == 0)
		return nook_fail(err, 0, "invalid hostname \"\": empty");
	if (len >= HOST_NAME_MAX)
		return nook_fail(err, 0, "invalid hostname \"%.16s...\": %zu bytes, at most %d",
				 name, len, HOST_NAME_MAX - 1);
	for (const char *p = name; *p; p++)
		if (*p == '/' || isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return nook_fail(err, 0, "invalid hostname: bad character at byte %td",
					 p - name);
