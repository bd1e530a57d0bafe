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
  --format F        text or json`
