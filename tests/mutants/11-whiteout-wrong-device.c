/* MUTANT 11: the whiteout is a character device, but 1/3 (what /dev/null is) instead of
 * 0/0: overlay takes only 0/0 for a whiteout, so the container sees a device where the
 * deleted file was */
	if ((dirfd = open_dir_beneath(layerfd, parent)) < 0)
		return nook_fail(err, errno, "layer entry \"%s\": its directory", path);
	if (strcmp(base, WH_OPAQUE) == 0) {
		if (fsetxattr(dirfd, opaque, "y", 1, 0) < 0)
			ret = nook_fail(err, errno, "layer entry \"%s\": setxattr(opaque)", path);
	} else if (mknodat(dirfd, base + 4, S_IFCHR, makedev(1, 3)) < 0) {
		ret = nook_fail(err, errno, "layer entry \"%s\": mknod(whiteout)", path);
	}
	close(dirfd);
	return ret;
