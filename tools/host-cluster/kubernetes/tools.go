// Package kubernetes exists so that the module has a package; the binaries are built with
// `go build k8s.io/kubernetes/cmd/<name>` from this folder (see scripts/setup/host-cluster.ts; kubectl too).
package kubernetes
