/* MUTANT 06.2: a group already there is taken as it is, processes and all: the container
   joins strangers, and its cleanup kills them to remove the group. */
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return nook_fail(err, errno, "mkdir(\"%s\")", path);
	d = &c->cgroup.dirs[c->cgroup.ndirs++];
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->members = members;
