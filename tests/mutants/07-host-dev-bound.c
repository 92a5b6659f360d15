/* MUTANT 07.1: the host's whole /dev bound in instead of a small one: every disk, /dev/mem
 * and /dev/kmsg are there to open for root inside */
	if (rootfs_overlay_options(&c->rootfs, c->run.state, c->userns, opts, sizeof(opts)) < 0)
		return nook_fail(err, 0, "overlay options: more than %zu bytes", sizeof(opts));
	if (mount("overlay", root, "overlay", MS_NODEV, opts) < 0)
		return nook_fail(err, errno, "mount(\"overlay\", \"%s\")", root);
	if (mount_point(under(p, root, "proc"), err) < 0 ||
	    mount_at("proc", p, "proc", safe, NULL, err) < 0)
		return -1;
	if (mount_point(under(p, root, "sys"), err) < 0 ||
	    mount_at("sysfs", p, "sysfs", safe | MS_RDONLY, NULL, err) < 0)
		return -1;
	if (mount_point(under(p, root, "dev"), err) < 0 ||
	    mount_at("/dev", p, NULL, MS_BIND | MS_REC, NULL, err) < 0)
		return -1;
