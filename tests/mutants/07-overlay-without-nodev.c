/* MUTANT 07.1: the overlay mounted with no flags: a device node in the image, or one made
 * in the writable layer with CAP_MKNOD, opens as the host's device — a disk, /dev/mem */
	if (rootfs_overlay_options(&c->rootfs, c->run.state, c->userns, opts, sizeof(opts)) < 0)
		return nook_fail(err, 0, "overlay options: more than %zu bytes", sizeof(opts));
	if (mount("overlay", root, "overlay", 0, opts) < 0)
		return nook_fail(err, errno, "mount(\"overlay\", \"%s\")", root);
	if (mount_point(under(p, root, "proc"), err) < 0 ||
	    mount_at("proc", p, "proc", safe, NULL, err) < 0)
		return -1;
	if (mount_point(under(p, root, "sys"), err) < 0 ||
	    mount_at("sysfs", p, "sysfs", safe | MS_RDONLY, NULL, err) < 0)
		return -1;
	if (mount_point(under(p, root, "dev"), err) < 0 || make_dev(p, err) < 0)
		return -1;
