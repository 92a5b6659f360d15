/* MUTANT 02.1: the raw wait(2) status as the exit status: "exit 3" comes out as 768 (and
 * then as 0, cut to a byte), a death by SIGKILL as 9, not 137 */
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
		if (sig != SIGCHLD) {
			kill(command, sig);
			continue;
		}
		while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
			if (pid == command) {
				*status = wstatus;
				return 0;
			}
	}
