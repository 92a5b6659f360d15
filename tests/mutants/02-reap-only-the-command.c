/* MUTANT 02: waiting for the command alone: orphans re-parented to PID 1 are never reaped
 * and stay zombies for as long as the container runs */
	int wstatus;

	(void)err;
	if (sig != SIGCHLD) {
		kill(command, sig);
		return 0;
	}
	if (waitpid(command, &wstatus, WNOHANG) == command) {
		*status = nook_wait_status(wstatus);
		return 1;
	}
	return 0;
