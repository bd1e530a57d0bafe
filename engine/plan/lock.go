package plan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jailkit/jailkit/engine/system"
)

// LockPath is the file jailkit flocks so two runs never change a host at
// the same time.
const LockPath = "/var/run/jailkit.lock"

// ErrBusy is returned when another jailkit run holds the lock for longer
// than the caller was willing to wait.
var ErrBusy = errors.New("another jailkit run is changing this host")

// Lock takes the host-wide lock, retrying until wait has passed. A System
// that cannot lock (a Recorder without a base) gets a no-op lock.
func Lock(ctx context.Context, sys system.System, wait time.Duration) (unlock func(), err error) {
	l, ok := sys.(system.Locker)
	if !ok {
		return func() {}, nil
	}
	deadline := time.Now().Add(wait)
	for {
		u, holder, err := l.TryLock(LockPath)
		if err == nil {
			return func() { _ = u() }, nil
		}
		if !errors.Is(err, system.ErrLocked) {
			return nil, fmt.Errorf("lock %s: %w", LockPath, err)
		}
		if time.Now().After(deadline) {
			who := ""
			if holder != "" {
				who = " (pid " + holder + ")"
			}
			return nil, fmt.Errorf("%w%s: waited %s for %s; try again when it has finished", ErrBusy, who, wait, LockPath)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
