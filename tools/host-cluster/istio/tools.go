// Package istio exists so that the module has a package; its go.mod lists Istio's three
// commands as tools, and `npm run setup` builds them from this folder (scripts/setup/istio.ts).
package istio
