/* MUTANT 10: reads the reports to the end but looks only for "exec": the error report
 * that follows it when execvp(3) fails is skipped, so `start` of a command that is not
 * found says 0, and nobody is told why the container is gone */
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", fifo);
	if (await_writer(fd, pid, err) < 0) {
		close(fd);
		return -1;
	}
	while ((got = read(fd, &r, sizeof(r))) == (ssize_t)sizeof(r))
		said_exec = said_exec || r.kind == NOOK_REPORT_EXEC;
	close(fd);
	if (got < 0)
		return nook_fail(err, errno, "read(\"%s\")", fifo);
	if (!said_exec)
		return nook_fail(err, 0, "the container ended before its command ran");
	return 0;
