package lab

import (
	"testing"
)

// classroom250 is a training room of 250 X11 jails plus its name server,
// the size of lab the benchmark plans.
const classroom250 = `apiVersion: jailkit/v1
name: bench
network:
  interface: em0
  subnet: 10.1.0.0/16
  gateway: 10.1.0.1
  domain: class.lan
  loghost: 10.1.0.5
jails:
  - name: ns
    recipe: dns
    address: 10.1.0.53
  - name: pc
    recipe: x11
    count: 250
    address: auto
    params:
      apps: [xterm, xclock]
`

// BenchmarkLabPlan250 measures planning a 250-jail classroom lab from its
// file: decode, check, allocate, wire and render every jail.
func BenchmarkLabPlan250(b *testing.B) {
	cat := labCatalog(b)
	data := []byte(classroom250)
	b.ReportAllocs()
	for b.Loop() {
		l, err := Parse("bench.yaml", data, cat)
		if err != nil {
			b.Fatal(err)
		}
		p, err := PlanOffline(l)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Jails) != 251 {
			b.Fatalf("planned %d jails", len(p.Jails))
		}
	}
}

// BenchmarkParseLab250 measures the checks alone, without rendering.
func BenchmarkParseLab250(b *testing.B) {
	cat := labCatalog(b)
	data := []byte(classroom250)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("bench.yaml", data, cat); err != nil {
			b.Fatal(err)
		}
	}
}
