/* MUTANT 02.1: only SIGCHLD is acted on: a SIGTERM sent to the container stops at init, and
 * the command never learns it should end */
	sigset_t set;
	int sig, wstatus;
	pid_t pid;

	nook_wait_signals(&set);
	for (;;) {
		sig = sigwaitinfo(&set, NULL);
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig < 0)
			return nook_fail(err, errno, "nook-init: sigwaitinfo");
		if (sig != SIGCHLD)
			continue;
		while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
			if (pid == command) {
				*status = nook_wait_status(wstatus);
				return 0;
			}
	}
