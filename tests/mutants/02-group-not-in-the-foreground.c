/* MUTANT 02.2: a group of its own, but not the terminal's foreground one: a Ctrl-C goes to
   init's group, and reaches the command only through init. */
	if (setpgid(0, 0) < 0)
		return nook_fail(err, errno, "setpgid(0, 0)");
