/* MUTANT 06.3: the child is placed in the first directory only: on v1 each controller is a
   hierarchy of its own, so the container escapes every limit but the first one's. */
	if (c->cgroup.ndirs > 0 &&
	    cgroup_writef(c->cgroup.dirs[0].path, "cgroup.procs", err, "%d", (int)c->run.pid) < 0)
		return -1;
