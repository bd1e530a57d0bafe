package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/jailkit/jailkit/engine/inputerr"
	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/recipe"
	"github.com/jailkit/jailkit/engine/system"
	"github.com/jailkit/jailkit/hostcheck/freebsd"
)

// StateDir is where jailkit keeps one state file per jail it manages.
const StateDir = "/var/db/jailkit"

// JailConfDir holds one jail.conf(5) file per jail; rc.d/jail reads it
// through the .include line in /etc/jail.conf.
const JailConfDir = "/etc/jail.conf.d"

// JailConfPath is the file jailkit owns for a jail.
func JailConfPath(name string) string { return JailConfDir + "/" + name + ".conf" }

// StatePath returns the state file of a jail.
func StatePath(name string) string { return StateDir + "/" + name + ".json" }

// BackupDir returns where copies of host files are kept before an install
// or uninstall of the jail edits them.
func BackupDir(name string) string { return StateDir + "/backup/" + name }

// State is what jailkit knows about a jail it installed: enough for a
// re-run to see what changed and for uninstall to remove exactly what
// jailkit created.
type State struct {
	Format         int               `json:"format"`
	Name           string            `json:"name"`
	Recipe         string            `json:"recipe"`
	RecipeVersion  string            `json:"recipe_version"`
	JailkitVersion string            `json:"jailkit_version,omitempty"`
	Hostname       string            `json:"hostname"`
	IP4            []string          `json:"ip4"`
	IP6            []string          `json:"ip6"`
	Prefix4        int               `json:"prefix4,omitempty"` // the first IPv4 address's prefix length, when not 32
	Prefix6        int               `json:"prefix6,omitempty"` // the first IPv6 address's prefix length, when not 128
	Interface      string            `json:"interface"`
	Release        string            `json:"release"`
	Arch           string            `json:"arch"`
	Thin           bool              `json:"thin"`
	Ports          bool              `json:"ports,omitempty"` // install --ports: the host's /usr/ports mounted read-only
	Path           string            `json:"path"`
	Conf           string            `json:"conf"`
	Sets           []string          `json:"sets"`
	Params         map[string]any    `json:"params"`
	DevfsRuleset   int               `json:"devfs_ruleset"`
	Packages       []string          `json:"packages"`
	Services       []string          `json:"services"`
	Files          []FileRecord      `json:"files"`
	Resources      []Resource        `json:"resources"`
	VNet           *plan.VNet        `json:"vnet,omitempty"`
	Extra          map[string]string `json:"extra,omitempty"`
}

// FileRecord is one file jailkit wrote inside the jail.
type FileRecord struct {
	Path   string `json:"path"`
	Dir    bool   `json:"dir,omitempty"`
	Mode   string `json:"mode"`
	Owner  string `json:"owner"`
	Group  string `json:"group"`
	SHA256 string `json:"sha256,omitempty"`
}

// Resource kinds recorded in a state file.
const (
	ResDir     = "dir"     // a directory jailkit created; Whole: the tree is jailkit's, else removed only when empty
	ResFile    = "file"    // a host file jailkit created and owns
	ResLine    = "line"    // a line jailkit added to a host file it does not own
	ResRCVar   = "rc.conf" // an rc.conf variable jailkit set on the host
	ResDevfs   = "devfs"   // a ruleset jailkit appended to /etc/devfs.rules
	ResBackup  = "backup"  // a copy of a host file taken before an edit
	ResDataset = "zfs"     // a ZFS dataset jailkit created (Name) mounted at Path
	ResBridge  = "bridge"  // a host bridge (Name) jailkit created for VNET jails, with uplink Value
)

// Resource is one thing on the host that jailkit created or changed.
type Resource struct {
	Kind string `json:"kind"`
	Path string `json:"path,omitempty"`
	// Whole says the directory tree is entirely jailkit's (a jail root,
	// release media); otherwise only the directory itself is.
	Whole bool `json:"whole,omitempty"`
	// Shared resources (the media cache, the shared base, the .include
	// line, jail_enable) serve every jailkit jail; uninstall keeps them
	// while another jailkit jail remains.
	Shared bool `json:"shared,omitempty"`
	// Text is the line or ruleset block added.
	Text string `json:"text,omitempty"`
	// Name, Value, Old and HadOld describe an rc.conf variable.
	Name   string `json:"name,omitempty"`
	Value  string `json:"value,omitempty"`
	Old    string `json:"old,omitempty"`
	HadOld bool   `json:"had_old,omitempty"`
	// Created says jailkit created the host file it added Text to.
	Created bool `json:"created,omitempty"`
}

// ReadState reads a jail's state file; (nil, nil) when there is none.
func ReadState(sys system.System, name string) (*State, error) {
	data, err := sys.ReadFile(StatePath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state of jail %s: %w", name, err)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("state file %s is damaged: %w", StatePath(name), err)
	}
	// The name inside becomes argv (jail -c NAME, jexec NAME) and paths:
	// it must be the file's own and a jail name, never "-fX" or another
	// jail's.
	if s.Name != name || recipe.ValidJailName(s.Name) != nil {
		return nil, fmt.Errorf("state file %s names the jail %s, not %s; refusing to use it", StatePath(name), inputerr.Quote(s.Name), name)
	}
	return &s, nil
}

// Marshal gives the state file's bytes: stable, so an unchanged install
// writes the same bytes and a re-run can tell nothing changed.
func (s *State) Marshal() []byte {
	data, _ := json.MarshalIndent(s, "", "  ")
	return append(data, '\n')
}

// ListStates reads every state file, sorted by jail name.
func ListStates(sys system.System) ([]*State, error) {
	ents, err := sys.ReadDir(StateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*State
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || recipe.ValidJailName(name) != nil {
			continue
		}
		s, err := ReadState(sys, name)
		if err != nil {
			return nil, err
		}
		if s != nil {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// BackupPath names the copy of host file p in the jail's backup directory.
func BackupPath(jail, p string) string {
	return path.Join(BackupDir(jail), strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", "_"))
}

var (
	releaseRE = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{1,3}-[A-Z0-9]{1,16}(-p[0-9]{1,4})?$`)
	archRE    = regexp.MustCompile(`^(amd64|arm64|aarch64|i386|armv7|riscv64|powerpc64|powerpc64le)$`)
)

// Validate refuses a state file that lists something jailkit never
// creates: uninstall removes what the file says, so a damaged or forged
// file must not be able to point it at the rest of the host.
func (st *State) Validate() error {
	if err := recipe.ValidJailName(st.Name); err != nil {
		return fmt.Errorf("state file names the jail %s: %w; refusing to use it", inputerr.Quote(st.Name), err)
	}
	// Release and arch name the shared base's directory.
	if (st.Release != "" && !releaseRE.MatchString(st.Release)) || (st.Arch != "" && !archRE.MatchString(st.Arch)) {
		return fmt.Errorf("state file %s gives release %s and arch %s, which jailkit never writes; refusing to use it",
			StatePath(st.Name), inputerr.Quote(st.Release), inputerr.Quote(st.Arch))
	}
	jails := path.Dir(path.Dir(st.Path))
	if !path.IsAbs(st.Path) || path.Clean(st.Path) != st.Path || path.Base(path.Dir(st.Path)) != "containers" ||
		path.Base(st.Path) != st.Name || jails == "/" {
		return fmt.Errorf("state file %s gives the jail root %q, which jailkit never uses; refusing to uninstall from it", StatePath(st.Name), st.Path)
	}
	under := func(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
	for _, r := range st.Resources {
		p := r.Path
		if r.Kind == ResBridge {
			if !ValidBridgeName(r.Name) || p != "" || !freebsd.ValidInterfaceName(r.Value) {
				return fmt.Errorf("state file %s lists bridge %q on %q, which jailkit never creates; refusing to uninstall from it", StatePath(st.Name), r.Name, r.Value)
			}
			continue
		}
		ok := path.IsAbs(p) && path.Clean(p) == p
		if ok {
			switch r.Kind {
			case ResDir:
				ok = under(p, jails) || under(p, StateDir) || p == JailConfDir
				for _, d := range []string{jails, StateDir, JailConfDir} {
					// A parent made on a bare host; only ever removed
					// when empty.
					ok = ok || (strings.HasPrefix(d, p+"/") && !r.Whole)
				}
			case ResFile:
				ok = p == JailConfPath(st.Name)
			case ResLine:
				ok = p == "/etc/jail.conf"
			case ResDevfs:
				ok = p == "/etc/devfs.rules"
			case ResRCVar:
				ok = p == "/etc/rc.conf" && recipe.ValidRCName(r.Name)
			case ResBackup:
				ok = under(p, BackupDir(st.Name))
			case ResDataset:
				ok = p == st.Path && ValidDataset(r.Name) && strings.HasSuffix(r.Name, "/"+st.Name)
			default:
				ok = false
			}
		}
		if !ok {
			return fmt.Errorf("state file %s lists %s %q, which jailkit never creates; refusing to uninstall from it", StatePath(st.Name), r.Kind, p)
		}
	}
	return nil
}

// ValidBridgeName says whether s names a bridge jailkit may create or
// remove: if_bridge(4) clones are named bridgeN, and anything else would
// need a rename jailkit does not do.
func ValidBridgeName(s string) bool { return bridgeRE.MatchString(s) }

var bridgeRE = regexp.MustCompile(`^bridge[0-9]{1,4}$`)

// ValidDataset says whether s can be a ZFS dataset name jailkit passes to
// zfs(8): no leading '-', no spaces, no empty components.
func ValidDataset(s string) bool { return datasetRE.MatchString(s) }

var datasetRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]*(/[A-Za-z0-9][A-Za-z0-9_.:-]*)*$`)
