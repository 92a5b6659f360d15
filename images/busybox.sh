#!/bin/sh
# images/busybox.sh DEST — build a minimal root filesystem from Debian's busybox-static:
# /bin/busybox and a link per applet, /etc/passwd, /etc/group, /etc/hostname, /root and
# empty mount points /proc /sys /dev, and /tmp (1777). No network: everything comes from
# the installed package. Built in DEST.tmp and renamed, so DEST is complete or absent.
set -eu
dest=$1
bb=/bin/busybox
[ -x "$bb" ] || { echo "image: $bb not found: install busybox-static ('make deps')" >&2; exit 1; }
"$bb" --list-full >/dev/null 2>&1 ||
	{ echo "image: $bb is not a static busybox with --list-full (package busybox-static)" >&2; exit 1; }
tmp=$dest.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"
mkdir -p bin sbin usr/bin usr/sbin etc root proc sys dev tmp
chmod 1777 tmp
chmod 700 root
cp "$bb" bin/busybox
for applet in $("$bb" --list-full); do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$(dirname "$applet")"
	# relative links: the image works wherever it is mounted, and from the host too
	dir=$(dirname "$applet")
	up=$([ "$dir" = . ] && echo . || echo "$dir" | sed 's|[^/][^/]*|..|g')
	ln -sf "$up/bin/busybox" "$applet"
done
cat >etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >etc/group <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
echo nook >etc/hostname
cd - >/dev/null
rm -rf "$dest"
mv "$tmp" "$dest"
echo "image: $dest ($(find "$dest" -type l | wc -l) applets)"
