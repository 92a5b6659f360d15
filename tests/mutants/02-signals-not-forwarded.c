/* MUTANT 02: only reaping: a signal sent to the container (docker stop's SIGTERM) never
 * reaches the command, since PID 1 ignores what it has no handler for */
	pid_t pid;
	int wstatus;

	(void)err;
	(void)sig;
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		if (pid == command) {
			*status = nook_wait_status(wstatus);
			return 1;
		}
	}
	return 0;
