/* MUTANT 02.1: waits for the command alone (waitpid(command, ...)): orphans re-parented to
 * init are never reaped and stay zombies as long as the container lives */
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
		pid = waitpid(command, &wstatus, WNOHANG);
		if (pid == command) {
			*status = nook_wait_status(wstatus);
			return 0;
		}
	}
