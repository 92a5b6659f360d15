/* MUTANT 11: the opaque attribute is set on the layer's root, not on the directory that
 * holds ".wh..wh..opq": the whole image below this layer disappears, not one directory */
	if ((dirfd = open_dir_beneath(layerfd, parent)) < 0)
		return nook_fail(err, errno, "layer entry \"%s\": its directory", path);
	if (strcmp(base, WH_OPAQUE) == 0) {
		if (fsetxattr(layerfd, opaque, "y", 1, 0) < 0)
			ret = nook_fail(err, errno, "layer entry \"%s\": setxattr(opaque)", path);
	} else if (mknodat(dirfd, base + 4, S_IFCHR, makedev(0, 0)) < 0) {
		ret = nook_fail(err, errno, "layer entry \"%s\": mknod(whiteout)", path);
	}
	close(dirfd);
	return ret;
