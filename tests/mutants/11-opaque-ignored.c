/* MUTANT 11: ".wh..wh..opq" is taken for aufs bookkeeping and skipped: the directory is
 * not made opaque, so what the layers below had in it shows through, deleted or not */
	if (strcmp(base, WH_OPAQUE) == 0)
		return 0;
	if ((dirfd = open_dir_beneath(layerfd, parent)) < 0)
		return nook_fail(err, errno, "layer entry \"%s\": its directory", path);
	if (mknodat(dirfd, base + 4, S_IFCHR, makedev(0, 0)) < 0)
		ret = nook_fail(err, errno, "layer entry \"%s\": mknod(whiteout)", path);
	close(dirfd);
	return ret;
