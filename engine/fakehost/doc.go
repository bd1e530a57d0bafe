// Package fakehost is a stateful fake FreeBSD host for tests. It implements
// system.System over a temporary directory that stands for "/": files are
// real files under it, reached through os.Root like on a live host, and the
// FreeBSD commands jailkit runs are simulated with their effects:
//
//   - sysrc edits rc.conf under the root (or a jail's with -j);
//   - jail -c starts a jail, so jls lists it and ifconfig shows its alias;
//     jail -r stops it;
//   - service -j JAIL NAME start needs the package and NAME_enable=YES in
//     the jail's rc.conf, and makes sockstat show the listener on the
//     jail's address;
//   - jexec -l JAIL pkg bootstrap -y puts pkg in the jail, and the jail's
//     pkg install/delete record the packages inside the jail root; the
//     host's own pkg is the bootstrapper unless Config.HostPkg, and
//     refuses to run without a terminal as usr.sbin/pkg/pkg.c does; what
//     it fetches (not in the cache mounted on its /var/cache/pkg by
//     mount -t nullfs) is logged in PkgFetchLog;
//   - fetch serves a small base.txz and a MANIFEST carrying its sha256 for
//     the releases in Config.Releases, and "Not Found" for others;
//   - tar -xf extracts such an archive, confined to the target directory.
//
// The jail and service state lives in ROOT/.fakehost/state.json and the
// host's configuration in ROOT/.fakehost/config.json, so several processes
// (a testscript running the jailkit binary again and again) share one fake
// host, and a byte-for-byte snapshot of the directory covers everything.
//
// Fault injection: Host.Fault is called before every mutation (a file
// change or a command with Mutates set) and can make it fail; FailNth
// builds one that fails the Nth mutation. Config.FailCommand makes every
// mutating command whose argv contains a string fail, for CLI scripts.
package fakehost
