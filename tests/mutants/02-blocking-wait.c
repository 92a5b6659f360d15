/* MUTANT 02.1: a blocking wait(2) loop instead of waiting for signals: orphans are reaped, but
 * while init sits in wait(2) the signals nook forwards stay blocked in its queue, and a
 * SIGTERM never reaches the command */
	int wstatus;
	pid_t pid;

	(void)err;
	while ((pid = wait(&wstatus)) > 0)
		if (pid == command) {
			*status = nook_wait_status(wstatus);
			return 0;
		}
	return nook_fail(err, errno, "nook-init: wait");
