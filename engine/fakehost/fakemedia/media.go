package fakemedia

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// BaseTarball returns the fake base.txz the mirror serves for a release
// and arch: an (uncompressed) tar with the skeleton of a FreeBSD base
// system, enough for a jail root: the directories a thin jail mounts from
// the shared base, /etc with passwd and group (bind is a base user on
// FreeBSD), /var, /tmp, /root, /dev.
func BaseTarball(release, arch string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, mode int64) {
		tw.WriteHeader(&tar.Header{Name: "./" + name + "/", Typeflag: tar.TypeDir, Mode: mode})
	}
	file := func(name string, mode int64, content string) {
		tw.WriteHeader(&tar.Header{Name: "./" + name, Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(content))})
		tw.Write([]byte(content))
	}
	dirs := []string{"bin", "boot", "dev", "etc", "etc/defaults", "etc/pkg", "lib", "libexec", "rescue", "root", "sbin",
		"usr", "usr/bin", "usr/include", "usr/lib", "usr/libdata", "usr/libexec", "usr/sbin", "usr/share",
		"usr/share/misc", "usr/tests", "var", "var/db", "var/run", "var/log", "usr/local"}
	if arch == "amd64" {
		dirs = append(dirs, "usr/lib32")
	}
	dir(".", 0o755)
	for _, d := range dirs {
		dir(d, 0o755)
	}
	dir("tmp", 0o1777)
	file("bin/sh", 0o555, "fake sh\n")
	// bin/freebsd-version/freebsd-version.sh.in: the script keeps the
	// userland's version, which freebsd-update patches with the rest.
	file("bin/freebsd-version", 0o555, "#!/bin/sh\nUSERLAND_VERSION=\""+release+"\"\n")
	file("lib/libc.so.7", 0o444, "fake libc\n")
	file("libexec/ld-elf.so.1", 0o555, "fake rtld\n")
	file("sbin/init", 0o555, "fake init\n")
	file("rescue/sh", 0o555, "fake rescue sh\n")
	file("usr/sbin/pkg", 0o555, "fake pkg bootstrapper\n")
	file("usr/sbin/jexec", 0o555, "fake jexec\n")
	file("usr/bin/true", 0o555, "fake true\n")
	file("etc/rc", 0o644, "# fake /etc/rc\n")
	file("etc/defaults/rc.conf", 0o444, "# fake defaults for "+release+" "+arch+"\n")
	file("etc/pkg/FreeBSD.conf", 0o644, "FreeBSD: { url: \"pkg+https://pkg.FreeBSD.org/${ABI}/quarterly\" }\n")
	file("etc/passwd", 0o644, "root:*:0:0:Charlie &:/root:/bin/sh\nbind:*:53:53:Bind Sandbox:/:/usr/sbin/nologin\nwww:*:80:80:World Wide Web Owner:/nonexistent:/usr/sbin/nologin\nnobody:*:65534:65534:Unprivileged user:/nonexistent:/usr/sbin/nologin\n")
	file("etc/master.passwd", 0o600, "root::0:0::0:0:Charlie &:/root:/bin/sh\nbind:*:53:53::0:0:Bind Sandbox:/:/usr/sbin/nologin\n")
	file("etc/group", 0o644, "wheel:*:0:root\nbind:*:53:\nwww:*:80:\nnogroup:*:65533:\nnobody:*:65534:\n")
	file("usr/share/misc/release", 0o444, release+" "+arch+"\n")
	tw.Close()
	return buf.Bytes()
}

// Manifest returns the MANIFEST of a release directory: tab-separated
// file, sha256, file count, set name, quoted description, on/off.
func Manifest(release, arch string) []byte {
	sum := sha256.Sum256(BaseTarball(release, arch))
	var b strings.Builder
	fmt.Fprintf(&b, "base-dbg.txz\t%064x\t10\tbase_dbg\t\"Base system (Debugging)\"\toff\n", 1)
	fmt.Fprintf(&b, "base.txz\t%s\t%d\tbase\t\"Base system (MANDATORY)\"\ton\n", hex.EncodeToString(sum[:]), 27)
	fmt.Fprintf(&b, "kernel.txz\t%064x\t800\tkernel\t\"Kernel (MANDATORY)\"\ton\n", 2)
	if arch == "amd64" {
		fmt.Fprintf(&b, "lib32.txz\t%064x\t900\tlib32\t\"32-bit compatibility libraries\"\ton\n", 3)
	}
	fmt.Fprintf(&b, "src.txz\t%064x\t90000\tsrc\t\"System source tree\"\toff\n", 4)
	return []byte(b.String())
}

// DefaultDevfsRules is the part of the base's /etc/defaults/devfs.rules
// (sbin/devfs/devfs.rules) that jails use: rulesets 1, 2, 4 and 5.
const DefaultDevfsRules = `[devfsrules_hide_all=1]
add hide

[devfsrules_unhide_basic=2]
add path null unhide
add path zero unhide
add path random unhide
add path urandom unhide

[devfsrules_jail=4]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic

[devfsrules_jail_vnet=5]
add include $devfsrules_jail
add path pf unhide
`
