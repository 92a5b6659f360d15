/* MUTANT 11: the whiteout is written as an empty regular file NAME, as a tar of files
 * would have it: overlay shows an empty file where the lower layer's was, so the deleted
 * file is still there (empty) in every container */
	if ((dirfd = open_dir_beneath(layerfd, parent)) < 0)
		return nook_fail(err, errno, "layer entry \"%s\": its directory", path);
	if (strcmp(base, WH_OPAQUE) == 0) {
		if (fsetxattr(dirfd, opaque, "y", 1, 0) < 0)
			ret = nook_fail(err, errno, "layer entry \"%s\": setxattr(opaque)", path);
	} else {
		int fd = openat(dirfd, base + 4, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

		if (fd < 0)
			ret = nook_fail(err, errno, "layer entry \"%s\": open(whiteout)", path);
		else
			close(fd);
	}
	close(dirfd);
	return ret;
