package signals

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Context returns a context that SIGINT and SIGTERM cancel, and a stop
// function that ends the handling. The command then stops at its next
// step and takes back what it did. If it has not returned after grace, or
// a second signal comes, the process exits with 128+signal, except while
// rollingBack says a plan is undoing steps, which is never cut short (it
// says so on stderr instead).
func Context(stderr io.Writer, rollingBack func() bool, grace time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	exitNow := func(sig os.Signal) {
		if rollingBack() {
			fmt.Fprintln(stderr, "jailkit: rolling back what was done; wait for it to finish")
			return
		}
		code := 130
		if sig == syscall.SIGTERM {
			code = 143
		}
		os.Exit(code)
	}
	go func() {
		var first os.Signal
		var timer <-chan time.Time
		for {
			select {
			case <-done:
				return
			case sig := <-sigs:
				if first != nil {
					exitNow(sig)
					continue
				}
				first = sig
				cancel()
				timer = time.After(grace)
			case <-timer:
				exitNow(first)
				timer = time.After(grace)
			}
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
