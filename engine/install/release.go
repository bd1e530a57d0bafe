package install

import (
	"context"

	"github.com/jailkit/jailkit/engine/plan"
	"github.com/jailkit/jailkit/engine/render"
	"github.com/jailkit/jailkit/engine/state"
	"github.com/jailkit/jailkit/engine/system"
)

// PlanSharedBase adds to p what a thin install of release for arch does
// before the jail's own root: fill the media cache with the release's
// MANIFEST and base.txz (the MANIFEST read now, so a release the mirror
// does not have is bad input before anything changes), verify base.txz,
// and extract and patch the shared base templates/RELEASE-ARCH unless it
// is there already. jailkit upgrade builds the new base with it. It
// returns the shared base's directory.
func PlanSharedBase(ctx context.Context, sys system.System, p *plan.Plan, jailsDir, mirror, release, arch string) (string, error) {
	if mirror == "" {
		mirror = DefaultMirror
	}
	pl := &planner{ctx: ctx, sys: sys, plan: p, opts: Options{JailsDir: jailsDir, Mirror: mirror},
		v:  &render.Values{Jail: render.Jail{Release: release, Arch: arch}},
		st: &state.State{}, made: map[string]bool{}}
	rf := pl.releaseFiles()
	manifest, cached, err := pl.readManifest(rf)
	if err != nil {
		return "", err
	}
	sum := ""
	if manifest != nil {
		if sum, err = baseSum(manifest, rf.manifestURL); err != nil {
			return "", err
		}
	}
	base := BaseDir(jailsDir, release, arch)
	if pl.exists(base) {
		// The newest generation: an update may have patched a copy
		// (templates/REL-ARCH.N) that new jails mount.
		_, newest := NewestBase(sys, base)
		return newest, nil
	}
	pl.planFetch(rf, manifest, cached, sum)
	pl.planSharedBase(rf.base)
	return base, nil
}
