// Command coredns is CoreDNS with only the plugins the host cluster's Corefile names
// (src/cluster/host/config.ts renders it), built through CoreDNS's documented way of choosing
// plugins without editing its tree: a main package that imports coremain, the server type and
// the wanted plugin packages, and sets the directive list. The full `coredns` command compiles
// every plugin (cloud DNS providers, etcd, ...) and their dependency trees, which is most of
// its build time; this one compiles the server, the Kubernetes client it shares with the
// Kubernetes build, and six small plugins.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives is the plugin chain's order: the order these names have in CoreDNS's plugin.cfg
// (a plugin sees the effect of every one after it), restricted to the plugins imported above.
// A Corefile directive missing here is refused at start ("unknown directive").
var directives = []string{
	"bind",
	"ready",
	"health",
	"errors",
	"cache",
	"kubernetes",
}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
