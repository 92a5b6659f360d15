/* MUTANT 01.1: the size clone3 is told is that of a pointer (8), smaller than the
 * first version of struct clone_args (64): the kernel refuses every clone with EINVAL */
	args.flags |= (unsigned)flags;
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(&args));
