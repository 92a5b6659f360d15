/* MUTANT 10: end-of-file alone is taken for "executed": a container that died before its
 * command ran, without a word (its seccomp profile denies write(2)), closes the FIFO too,
 * and start says the command runs */
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", fifo);
	if (await_writer(fd, pid, err) < 0) {
		close(fd);
		return -1;
	}
	(void)said_exec;
	while ((got = read(fd, &r, sizeof(r))) == (ssize_t)sizeof(r))
		if (r.kind == NOOK_REPORT_ERROR) {
			*err = r.err;
			err->msg[sizeof(err->msg) - 1] = '\0';
			close(fd);
			return -1;
		}
	close(fd);
	if (got < 0)
		return nook_fail(err, errno, "read(\"%s\")", fifo);
	return 0;
