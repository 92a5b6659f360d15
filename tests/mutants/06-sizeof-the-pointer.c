/* MUTANT 06.1: the length as sizeof(value), the size of a pointer: eight bytes are written
 * whatever the value — "20000 100000" arrives as "20000 10", and "64" with six bytes of
 * whatever follows it */
	char path[PATH_MAX];
	ssize_t n;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	n = write(fd, value, sizeof(value));
	saved = errno;
	close(fd);
	if (n < 0)
		return nook_fail(err, saved, "write(\"%s\", \"%s\")", path, value);
