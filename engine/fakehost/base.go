package fakehost

import "github.com/jailkit/jailkit/engine/fakehost/fakemedia"

// BaseTarball is the fake base.txz of a release and arch (see fakemedia).
func BaseTarball(release, arch string) []byte { return fakemedia.BaseTarball(release, arch) }

// Manifest is the MANIFEST that lists BaseTarball's sha256 (see fakemedia).
func Manifest(release, arch string) []byte { return fakemedia.Manifest(release, arch) }
