package livefacts

import (
	"context"
	"errors"
	"io/fs"
	"path"

	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// Output returns the output of the fact command name, whose argv is given
// ("df" measures jailsDir, or /usr/local/jails when it is ""): from the
// kernel when sys can answer, else by running the command.
func Output(ctx context.Context, sys system.System, name string, argv []string, jailsDir string) ([]byte, error) {
	if jailsDir == "" {
		jailsDir = freebsd.DefaultJailsDir
	}
	if out, ok := fromKernel(sys, name, jailsDir); ok {
		return out, nil
	}
	if name == "df" {
		// A fresh host has no jails directory yet: measure the nearest
		// directory above it that exists, which is where it will be made.
		for dir := jailsDir; ; dir = path.Dir(dir) {
			out, err := sys.Run(ctx, system.Cmd{Argv: []string{"df", "-k", dir}})
			if err == nil || dir == "/" {
				return out, err
			}
		}
	}
	return sys.Run(ctx, system.Cmd{Argv: argv})
}

// NoJailsJSON and NoJailsText are what jls --libxo json -n and jls print
// when no jail runs (usr.sbin/jls/jls.c opens the "jail" list, then
// closes it empty; the table is only its header).
const (
	NoJailsJSON = `{"__version": "2", "jail-information": {"jail": []}}` + "\n"
	NoJailsText = "   JID  IP Address      Hostname                      Path\n"
)

// fromKernel answers a fact command through system.HostInfo; ok is false
// when the command has to run instead.
func fromKernel(sys system.HostInfo, name, jailsDir string) ([]byte, bool) {
	switch name {
	case "jls-json", "jls":
		// A host without jails needs no jls at all.
		if has, err := sys.HasJails(); err != nil || has {
			return nil, false
		}
		if name == "jls" {
			return []byte(NoJailsText), true
		}
		return []byte(NoJailsJSON), true
	case "ifconfig":
		ifs, err := sys.Interfaces()
		if err != nil {
			return nil, false
		}
		return IfconfigText(ifs), true
	case "kldstat":
		files, err := sys.KldFiles()
		if err != nil {
			return nil, false
		}
		return freebsd.FormatKldstat(files), true
	case "df":
		info, err := statfsNearest(sys, jailsDir)
		if err != nil {
			return nil, false
		}
		return freebsd.FormatDf(info.From, info.On, info.TotalKB, info.UsedKB, info.AvailKB), true
	}
	return nil, false
}

// statfsNearest describes the file system of dir, or of the nearest
// directory above it that exists.
func statfsNearest(sys system.HostInfo, dir string) (system.FSInfo, error) {
	for {
		info, err := sys.Statfs(dir)
		if err == nil || dir == "/" || !errors.Is(err, fs.ErrNotExist) {
			return info, err
		}
		dir = path.Dir(dir)
	}
}

// IfconfigText prints interfaces as ifconfig -a would.
func IfconfigText(ifs []system.NetInterface) []byte {
	conv := make([]freebsd.Interface, len(ifs))
	for i, ifc := range ifs {
		conv[i] = freebsd.Interface(ifc)
	}
	return freebsd.FormatIfconfig(conv)
}
