/* MUTANT 06: the value written a piece at a time, as to a regular file: each write(2) to a
 * control file is a command of its own, so memory.max gets "6", then "7", ... — the last
 * digit, not 67108864 */
	char path[PATH_MAX];
	size_t len = strlen(value);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	for (size_t i = 0; i < len; i++)
		if (write(fd, value + i, 1) != 1 && errno != EINVAL) {
			close(fd);
			return nook_fail(err, errno, "write(\"%s\", \"%s\")", path, value);
		}
	close(fd);
