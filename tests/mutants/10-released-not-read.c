/* MUTANT 10: releases the container and returns once its first report is there, without
 * reading the reports: "exec" is taken for granted, so a command that is not found is
 * never told (its error report meets a FIFO without a reader: SIGPIPE), and start says 0 */
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", fifo);
	if (await_writer(fd, pid, err) < 0) {
		close(fd);
		return -1;
	}
	(void)r;
	(void)got;
	(void)said_exec;
	close(fd);
	return 0;
