/* MUTANT 07: pivot_root without umount2 of the old root: the host's whole tree stays
 * mounted in the container's mount table, stacked on its "/" */
	if (chdir(root) < 0)
		return nook_fail(err, errno, "chdir(\"%s\")", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return nook_fail(err, errno, "pivot_root(\"%s\")", root);
	if (chdir("/") < 0)
		return nook_fail(err, errno, "chdir(\"/\")");
