/* MUTANT 06.2: the directory is made but not recorded in c->cgroup.dirs: the limits have
   nowhere to go, and cleanup() never removes the group — every run leaves one behind. */
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "mkdir(\"%s\")", path);
	(void)members;
