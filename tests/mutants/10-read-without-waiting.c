/* MUTANT 10: reads as soon as the FIFO is open, not waiting for the container's first
 * report: the container is still in its open(2), or has not written yet, so the FIFO is
 * empty and the non-blocking read fails with EAGAIN — every start fails, though the
 * container was released */
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return nook_fail(err, errno, "open(\"%s\")", fifo);
	while ((got = read(fd, &r, sizeof(r))) == (ssize_t)sizeof(r)) {
		if (r.kind == NOOK_REPORT_ERROR) {
			*err = r.err;
			err->msg[sizeof(err->msg) - 1] = '\0';
			close(fd);
			return -1;
		}
		said_exec = said_exec || r.kind == NOOK_REPORT_EXEC;
	}
	close(fd);
	if (got < 0)
		return nook_fail(err, errno, "read(\"%s\")", fifo);
	if (!said_exec)
		return nook_fail(err, 0, "the container ended before its command ran");
	return 0;
