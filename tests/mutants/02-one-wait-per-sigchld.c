/* MUTANT 02.1: one waitpid per SIGCHLD, not a loop: signals of one kind do not queue, so when
 * many children end at once one SIGCHLD stands for all of them and the rest stay zombies */
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
		pid = waitpid(-1, &wstatus, WNOHANG);
		if (pid == command) {
			*status = nook_wait_status(wstatus);
			return 0;
		}
	}
