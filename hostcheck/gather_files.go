package hostcheck

import (
	_ "embed"
	"errors"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// readRCConf merges defaults, rc.conf, rc.conf.local and rc.conf.d under
// root ("" for the host, a jail path otherwise). unsafe, when not nil,
// hears of each file that is there but could not be read.
func readRCConf(src Source, jailRoot string, missing func(error), unsafe func(name string, err error)) *freebsd.RCConf {
	rc := freebsd.NewRCConf()
	read := func(name string) ([]byte, error) {
		if jailRoot != "" {
			return src.ReadJailFile(jailRoot, name)
		}
		return src.ReadFile(name)
	}
	// Inside a jail the built-in defaults do: the checks only ask a jail
	// about switches that default to NO, and a thousand jails would
	// otherwise mean a thousand more reads.
	if jailRoot != "" {
		rc.Vars = maps.Clone(jailRCDefaults())
	} else if data, err := read("/etc/defaults/rc.conf"); err == nil {
		rc.Parse("/etc/defaults/rc.conf", data)
	} else {
		rc.Parse("(built-in defaults)", []byte(defaultRCConf))
	}
	found := false
	var firstErr error
	for _, name := range []string{"/etc/rc.conf", "/etc/rc.conf.local"} {
		data, err := read(name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				if firstErr == nil {
					firstErr = err
				}
				if unsafe != nil {
					unsafe(name, err)
				}
			}
			continue
		}
		found = true
		rc.Parse(name, data)
	}
	if jailRoot == "" {
		names, _ := src.Glob("/etc/rc.conf.d/*")
		for _, name := range names {
			data, err := src.ReadFile(name)
			if err != nil {
				if unsafe != nil && !errors.Is(err, fs.ErrNotExist) {
					unsafe(name, err)
				}
				continue
			}
			found = true
			rc.Parse(name, data)
		}
	}
	if !found && missing != nil {
		if firstErr == nil {
			firstErr = fs.ErrNotExist
		}
		missing(firstErr)
	}
	return rc
}

// readJailConf reads /etc/jail.conf with its .include lines and every
// /etc/jail.conf.d/*.conf, which rc.d/jail reads by jail name even when no
// .include names them. An included file that is there but cannot be read
// safely, and an .include that nests too deep, are reported through
// missing: the checks must not pass on a jail.conf read in part.
func readJailConf(src Source, missing func(error)) []freebsd.Jail {
	var problems []string
	read := map[string]bool{}
	include := func(pattern string) []freebsd.ConfFile {
		var names []string
		if strings.ContainsAny(path.Base(pattern), "*?[") {
			names, _ = src.Glob(pattern)
		} else {
			names = []string{pattern}
		}
		var out []freebsd.ConfFile
		for _, n := range names {
			if read[n] || !path.IsAbs(n) {
				continue
			}
			data, err := src.ReadFile(n)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					problems = append(problems, n+": "+errText(err))
				}
				continue
			}
			read[n] = true
			out = append(out, freebsd.ConfFile{Name: n, Data: data})
		}
		return out
	}
	var all []freebsd.Jail
	byName := map[string]int{}
	add := func(file string, data []byte) {
		js, probs := freebsd.ParseJailConfReport(file, data, include)
		problems = append(problems, probs...)
		for _, j := range js {
			if i, ok := byName[j.Name]; ok {
				all[i] = j
				continue
			}
			byName[j.Name] = len(all)
			all = append(all, j)
		}
	}
	data, err := src.ReadFile("/etc/jail.conf")
	if err == nil {
		read["/etc/jail.conf"] = true
		add("/etc/jail.conf", data)
	} else if !errors.Is(err, fs.ErrNotExist) && missing != nil {
		missing(err)
	}
	for _, f := range include("/etc/jail.conf.d/*.conf") {
		add(f.Name, f.Data)
	}
	if len(problems) > 0 && missing != nil {
		missing(errors.New(strings.Join(problems, "; ")))
	}
	return all
}

// namedConfs are where a jail's named.conf may be, in the order read.
var namedConfs = []string{"/usr/local/etc/namedb/named.conf", "/usr/local/etc/named/named.conf"}

var zoneTypeRE = regexp.MustCompile(`(?m)^[^#/]*\btype\s+(master|primary|slave|secondary)\s*;`)

// readJailFiles reads what the checks need inside the jail rooted at root:
// its passwd, its rc.conf and, when it runs named, its zone types.
func readJailFiles(src Source, root string) *JailFiles {
	jf := &JailFiles{}
	if data, err := src.ReadJailFile(root, "/etc/passwd"); err == nil {
		jf.HasPasswd = true
		jf.Accounts = freebsd.ParsePasswd(data)
	} else {
		jf.unread("/etc/passwd", err)
	}
	jf.RC = readRCConf(src, root, nil, jf.unread)
	// Only a jail that runs named has zones worth reading; the others
	// would cost two failed lookups each on a host with many jails.
	if !jf.RC.Yes("named_enable") {
		return jf
	}
	for _, conf := range namedConfs {
		data, err := src.ReadJailFile(root, conf)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				jf.unread(conf, err)
			}
			continue
		}
		roles := map[string]bool{}
		for _, m := range zoneTypeRE.FindAllStringSubmatch(string(data), -1) {
			switch m[1] {
			case "master", "primary":
				roles["primary"] = true
			case "slave", "secondary":
				roles["secondary"] = true
			}
		}
		for r := range roles {
			jf.DNSRoles = append(jf.DNSRoles, r)
		}
		sort.Strings(jf.DNSRoles)
		break
	}
	return jf
}

// jailRCDefaults is defaultRCConf parsed once; each jail starts from a copy.
var jailRCDefaults = sync.OnceValue(func() map[string]freebsd.RCVar {
	rc := freebsd.NewRCConf()
	rc.Parse("(built-in defaults)", []byte(defaultRCConf))
	return rc.Vars
})

// defaultRCConf holds the /etc/defaults/rc.conf values the checks read, for
// a snapshot or host where that file could not be read, and inside jails.
//
//go:embed defaults/rc.conf
var defaultRCConf string

// defaultDevfsRules is /etc/defaults/devfs.rules as FreeBSD 14 ships it,
// for when that file could not be read.
//
//go:embed defaults/devfs.rules
var defaultDevfsRules string
