// Command loadgen is meshproof's load generator: an open-model (arrival-rate) HTTP client for
// OpenAI-compatible servers that times streamed completions per server-sent event and writes
// HDR histograms the harness merges across processes and pods.
//
//	loadgen run --target URL --profile JSON [--slo JSON] [--model NAME] [--run-id ID]
//	            [--graceful-stop 30s] [--progress 5s] [--out FILE|-]
//	loadgen idle      wait for SIGTERM (the loadgen pod's main process; runs are exec'd)
//	loadgen cat FILE  print a file (a run's summary, read back from the pod's scratch image)
//	loadgen version
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// version is the generator's own version; the harness names the image meshproof/loadgen:<version>
// (LOADGEN_VERSION in src/load/loadgen.ts, kept equal by a test).
const version = "v0.1.0"

const (
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

func cli(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: loadgen run|cat|idle|version (see loadgen run -h)")
		return exitUsage
	}
	switch args[0] {
	case "version", "--version":
		fmt.Fprintf(stdout, "meshproof loadgen %s\n", version)
		return 0
	case "idle":
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
		<-signals
		return 0
	case "run":
		return runCommand(args[1:], stdout, stderr)
	case "cat":
		return catCommand(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "loadgen: unknown command %q: use run, cat, idle or version\n", args[0])
		return exitUsage
	}
}

// catCommand prints one file. The pod's image has no shell or cat, and a summary sent over a
// run's own `kubectl exec` stdout can arrive truncated with exit 0 (kubernetes/kubernetes#124571),
// so the harness writes it in the pod and reads it back with this, again if the copy is cut.
func catCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: loadgen cat FILE")
		return exitUsage
	}
	f, err := os.Open(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 1
	}
	defer f.Close()
	if _, err := io.Copy(stdout, f); err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 1
	}
	return 0
}

func runCommand(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("loadgen run", flag.ContinueOnError)
	flags.SetOutput(stderr)
	target := flags.String("target", "", "base URL of the server, e.g. http://127.0.0.1:8000")
	profileJSON := flags.String("profile", "", "the harness's LoadProfile as JSON")
	sloJSON := flags.String("slo", "", `optional goodput SLO {"ttftMs": n, "tpotMs": n}`)
	model := flags.String("model", "llm-sim", "model name in request bodies")
	runID := flags.String("run-id", "loadgen", "prefix of every x-request-id")
	graceful := flags.Duration("graceful-stop", 30*time.Second, "how long requests in flight may finish after the schedule ends")
	progressEvery := flags.Duration("progress", 0, "print a progress line to stderr this often (0: never)")
	outPath := flags.String("out", "-", "where the JSON summary goes; - for stdout")
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	usage := func(err error) int {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return exitUsage
	}
	if *target == "" || *profileJSON == "" {
		return usage(errors.New("--target and --profile are required"))
	}
	profile, err := ParseProfile(*profileJSON)
	if err != nil {
		return usage(err)
	}
	slo, err := ParseSLO(*sloJSON)
	if err != nil {
		return usage(err)
	}
	if *graceful < 0 || *graceful > time.Hour {
		return usage(fmt.Errorf("--graceful-stop must be between 0 and 1h, got %s", *graceful))
	}
	var out io.Writer = stdout
	if *outPath != "-" {
		f, err := os.Create(*outPath)
		if err != nil {
			fmt.Fprintf(stderr, "loadgen: cannot write the summary: %v\n", err)
			return 1
		}
		defer f.Close()
		out = f
	}

	// The first SIGINT or SIGTERM stops the schedule and ends requests in flight; the summary of
	// what was measured is still written.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)
	stop := make(chan struct{})
	var got os.Signal
	go func() {
		if s, ok := <-signals; ok {
			got = s
			close(stop)
		}
	}()
	name := func() string {
		if got == syscall.SIGTERM {
			return "SIGTERM"
		}
		return "SIGINT"
	}

	summary, err := Run(Config{
		Profile:      profile,
		Target:       *target,
		Model:        *model,
		RunID:        *runID,
		SLO:          slo,
		GracefulStop: *graceful,
		Progress:     *progressEvery,
		ProgressOut:  stderr,
	}, stop, name)
	if err != nil {
		return usage(err)
	}
	enc := json.NewEncoder(out)
	if err := enc.Encode(summary); err != nil {
		fmt.Fprintf(stderr, "loadgen: cannot write the summary: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "loadgen %s: %d sent of %d scheduled, %d dropped, %d failed\n", profile.Name, summary.Started, summary.Scheduled, summary.Dropped, summary.Failed)
	if summary.Interrupted != "" {
		return exitInterrupted
	}
	return 0
}
