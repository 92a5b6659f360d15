/* MUTANT 06.1: only open(2) checked: the kernel parses the value at write(2) and refuses it
 * there (EINVAL, EBUSY), and that refusal is lost — the container runs without its limit */
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", path);
	if (write(fd, value, strlen(value)) < 0) {
		/* ignored: the file opened, so the value must be fine */
	}
	close(fd);
