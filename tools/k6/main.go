// Command k6 is stock k6 v1.8.1 with meshproof's llmstream extension compiled in.
//
// This is the file xk6 would generate (`xk6 build --with <extension>`): k6's own entry point
// plus a blank import that registers the extension. We write it by hand because xk6 and the
// public SSE extensions cannot be fetched from every module proxy we build on.
package main

import (
	k6cmd "go.k6.io/k6/cmd"

	_ "meshproof/tools/k6/llmstream"
)

func main() {
	k6cmd.Execute()
}
