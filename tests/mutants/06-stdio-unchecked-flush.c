/* MUTANT 06.1: stdio without checking the flush: fputs(3) only fills a buffer, the write(2)
 * happens in fclose(3), and the kernel's refusal is in fclose's result, never looked at */
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "we");
	if (!f)
		return nook_fail(err, errno, "open(\"%s\")", path);
	if (fputs(value, f) == EOF) {
		fclose(f);
		return nook_fail(err, errno, "write(\"%s\", \"%s\")", path, value);
	}
	fclose(f);
