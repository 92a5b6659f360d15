/* MUTANT 06.1: the refusal reported as the file alone, like open(2)'s errors: "write(memory.max):
 * Invalid argument" does not say which value the kernel refused */
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	n = write(fd, value, len);
	saved = errno;
	close(fd);
	if (n != (ssize_t)len)
		return nook_fail(err, n < 0 ? saved : EIO, "write(\"%s\")", path);
