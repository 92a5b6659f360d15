/* MUTANT 07.1: no /proc under the new root, since step 03 mounts one anyway: after the
 * pivot no procfs is visible, and in a user namespace the kernel then refuses step 03's
 * (a new procfs may only be mounted where one is already fully visible) */
	(void)safe;
	if (rootfs_overlay_options(&c->rootfs, c->run.state, c->userns, opts, sizeof(opts)) < 0)
		return nook_fail(err, 0, "overlay options: more than %zu bytes", sizeof(opts));
	if (mount("overlay", root, "overlay", MS_NODEV, opts) < 0)
		return nook_fail(err, errno, "mount(\"overlay\", \"%s\")", root);
	if (mount_point(under(p, root, "sys"), err) < 0 ||
	    mount_at("sysfs", p, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL,
		     err) < 0)
		return -1;
	if (mount_point(under(p, root, "dev"), err) < 0 || make_dev(p, err) < 0)
		return -1;
