/* MUTANT 01.1: args keeps only what it already asked for, without the namespaces
 * in flags: the child is a plain fork in the host's namespaces (nook refuses to rename the
 * host; the IPC queue test would see the host's queues) */
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
