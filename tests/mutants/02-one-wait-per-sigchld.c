/* MUTANT 02: one waitpid per SIGCHLD, not a loop: signals of one kind do not queue, so when
 * many children end at once one SIGCHLD stands for all of them and the rest stay zombies */
	pid_t pid;
	int wstatus;

	(void)err;
	if (sig != SIGCHLD) {
		kill(command, sig);
		return 0;
	}
	pid = waitpid(-1, &wstatus, WNOHANG);
	if (pid == command) {
		*status = nook_wait_status(wstatus);
		return 1;
	}
	return 0;
