/* MUTANT 11: the device is named as the tar entry is, ".wh.NAME", not NAME: overlay hides
 * nothing (no lower file has that name), the deleted NAME stays, and a ".wh.NAME" device
 * appears beside it */
	if ((dirfd = open_dir_beneath(layerfd, parent)) < 0)
		return nook_fail(err, errno, "layer entry \"%s\": its directory", path);
	if (strcmp(base, WH_OPAQUE) == 0) {
		if (fsetxattr(dirfd, opaque, "y", 1, 0) < 0)
			ret = nook_fail(err, errno, "layer entry \"%s\": setxattr(opaque)", path);
	} else if (mknodat(dirfd, base, S_IFCHR, makedev(0, 0)) < 0) {
		ret = nook_fail(err, errno, "layer entry \"%s\": mknod(whiteout)", path);
	}
	close(dirfd);
	return ret;
