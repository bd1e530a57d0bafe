package opshelp

// Update is the --help text of jailkit update.
const Update = `Patches the base system of each NAME (or of every jail jailkit manages, name
servers first), then upgrades its packages.

Base: freebsd-update fetch says, while planning, whether the base has patches
for the version its /bin/freebsd-version holds; a base with none is left
alone. A thick jail's root is patched in place (freebsd-update -b ROOT -d
/var/db/freebsd-update/jailkit-NAME ... fetch install) and the jail restarts.
Thin jails share a base: it is patched once, as a copy beside it
(templates/RELEASE-ARCH.N), and each selected thin jail then mounts the copy
(its jail.conf.d file rewritten, the jail stopped and started). The previous
base is kept; the plan says which jails still use it. A host securelevel above
0 refuses before anything changes.

Packages: each running jail's own pkg decides (jexec -l NAME pkg version -R
-l '<', then pkg upgrade -y), so the jail's pkg.conf, ABI and network are
used. The services restart and the post-check looks at their listeners.

When the jail's root is a ZFS dataset, a snapshot jailkit-update-TIME is taken
first, and a failure rolls the root back to it; otherwise a failure undoes the
base (freebsd-update rollback, or the jails switched back) but not a pkg
upgrade (the plan says so). The state file records what was done.

Flags:
  --all             every jail jailkit manages
  --dry-run         print the plan and change nothing (it still asks
                    freebsd-update and each jail's pkg what is pending,
                    which fetches their catalogues)
  --from DIR        with --dry-run: plan against collect --updates --out DIR
                    (the packages only; the base is judged on the host)
  --format F        text or json`

// Upgrade is the --help text of jailkit upgrade.
const Upgrade = `Moves the running thin jail NAME to release R (15.0 or 15.0-RELEASE), a later
one than its own:

  1. R's MANIFEST and base.txz are fetched and verified, and R's shared base
     extracted and patched beside the old one, as a thin install does (kept
     when an earlier upgrade or install made it).
  2. The jail's own /etc and /root are merged with etcupdate: the old base's
     stock files are the common ancestor (etcupdate extract -t), the new
     base's are merged into the stopped jail (etcupdate -D ROOT -t). A file
     both the admin and R changed is a conflict: the upgrade stops and
     everything is rolled back before the jail is switched.
  3. The state file records R, the jail's jail.conf.d file mounts the new
     base, the jail starts and its listeners are checked.
  4. pkg upgrade -f reinstalls every package for R's ABI, the services
     restart and the post-check runs again.

When the jail's root is a ZFS dataset, a snapshot jailkit-upgrade-TIME comes
first and a failure at any step rolls the root back to it; otherwise a failure
after the package reinstall leaves R's packages on the old base (the plan
says so). The old base is kept; the plan says which jails still use it. A jail
already on R is left alone. Thick jails are refused: freebsd-update upgrade is
interactive.

Flags:
  --release R       the release to move to (required)
  --mirror URL      FreeBSD mirror (default https://download.freebsd.org)
  --dry-run         print the plan and change nothing (it still reads R's
                    MANIFEST from the mirror)
  --from DIR        with --dry-run: plan against collect --out DIR
  --format F        text or json`

// Rollback is the help of jailkit rollback.
const Rollback = `Rolls the root of jail NAME back to its ZFS snapshot LABEL (zfs rollback). A
running jail is stopped first, started again after, and its listeners are
checked. Newer snapshots would be destroyed (zfs rollback -r), so that needs
--force. The rollback itself cannot be undone: a failure before it rolls the
plan back completely; a failure after it leaves the rolled-back root with the
jail started again. A root with nothing written since the snapshot needs no
change. A jail whose root is not a ZFS dataset is bad input (exit 2).

Flags:
  --force           destroy newer snapshots
  --dry-run         print the plan and change nothing
  --format F        text or json`

// Snapshot is the help of jailkit snapshot.
const Snapshot = `Takes the ZFS snapshot DATASET@LABEL of the root of jail NAME (zfs snapshot) and
records it in the state file; LABEL defaults to the time, as YYYYMMDD-HHMMSS
in UTC. The jail's root must be the ZFS dataset install made (the jails
directory on ZFS); otherwise it is bad input (exit 2). A snapshot that exists
already is left alone.

Flags:
  --dry-run         print the plan and change nothing
  --format F        text or json`

// Power is the summary and help of jailkit start, stop and restart, by
// command.
var Power = map[string]struct{ Summary, Help string }{
	"start": {"start jails jailkit installed, name servers first",
		`Starts each NAME that is not running with jail(8) and its own file:
jail -f /etc/jail.conf.d/NAME.conf -c NAME. The jail's exec.start (/etc/rc)
starts its enabled services; a post-check then makes sure the recipe's ports
listen on the jail's address and not on *. With --all, every jail jailkit
manages starts, the name servers (recipes with the dns role) first. If a
step fails, the jails started so far are stopped again. A running jail is left
alone, so a second run changes nothing.`},
	"stop": {"stop jails jailkit installed, name servers last",
		`Stops each NAME that runs: jail -f /etc/jail.conf.d/NAME.conf -r NAME (its
exec.stop runs /etc/rc.shutdown). The state file records that jailkit stop
stopped it, so jailkit status does not report it as down by accident;
rc.d/jail still starts it at boot. With --all, every jail jailkit manages
stops, the name servers last. If a step fails, the jails stopped so far are
started again.`},
	"restart": {"restart jails jailkit installed",
		`Restarts each NAME: jail -f /etc/jail.conf.d/NAME.conf -rc NAME removes and
creates a running jail again (a stopped one is started with -c: jail(8) -rc
refuses a jail that does not run), then the post-check looks at its listeners.
With --all, every jail jailkit manages restarts, the name servers first.`},
}
