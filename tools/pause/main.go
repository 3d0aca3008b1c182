// pause holds a pod's namespaces open: the sandbox container of every pod on the host cluster,
// where no registry can serve registry.k8s.io/pause. It sleeps until SIGTERM or SIGINT and then
// exits 0. As PID 1 of a pod that shares its process namespace it also reaps orphaned children,
// which would otherwise stay zombies.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for sig := range signals {
		if sig == syscall.SIGCHLD {
			reap()
			continue
		}
		os.Exit(0)
	}
}

func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
