/* MUTANT 07.2: pivot_root without umount2 of the old root: the host's whole tree stays
 * mounted in the container's mount table, stacked on its "/" */
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return nook_fail(err, errno, "mount(\"%s\", MS_BIND|MS_REC)", root);
	if (chdir(root) < 0)
		return nook_fail(err, errno, "chdir(\"%s\")", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return nook_fail(err, errno, "pivot_root(\"%s\")", root);
	if (chdir("/") < 0)
		return nook_fail(err, errno, "chdir(\"/\")");
