// Command latent trains, evaluates and samples the tutorial's convolutional
// autoencoder and variational autoencoder on MNIST, in pure Go.
//
//	latent demo                 the whole tutorial with its default settings
//	latent train --model vae    train one model
//	latent eval --model FILE    evaluate a checkpoint on the test set
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// usageError is a bad command line: exit code 2. verb, when set, is the
// command whose --help the message points to (a sub-command such as
// "classifier train"); otherwise the verb that ran.
type usageError struct{ msg, verb string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{msg: fmt.Sprintf(format, a...)} }

type verb struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) error
}

var verbs = []verb{
	{"demo", "run the whole tutorial: train the AE and the VAE, evaluate both", runDemo},
	{"train", "train one model and write its checkpoint and metrics", runTrain},
	{"eval", "evaluate a checkpoint on the 10,000 test images", runEval},
	{"sweep", "train one VAE per setting of β and friends and compare them", runSweep},
	{"prior", "fit a mixture prior to a trained VAE's codes and store it in the model", runPrior},
	{"sample", "decode random codes into a grid of images", runSample},
	{"reconstruct", "show test images above their reconstructions", runReconstruct},
	{"interpolate", "decode the line between two test images' codes", runInterpolate},
	{"tsne", "map the test set's codes to 2-D with t-SNE", runTSNE},
	{"serve", "explore a model's latent space in the browser", runServe},
	{"bench", "measure training and inference speed on this machine", runBench},
	{"data", "fetch a dataset or show where it is read from", runData},
	{"classifier", "train or evaluate the digit classifier that judges samples", runClassifier},
}

func main() {
	// The training loop allocates nothing, so a tighter GC target costs no
	// time and keeps the peak memory of a demo near its live data (MNIST):
	// GOGC 40 and a soft limit of 100 MiB, unless the environment sets them.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(40)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(100 << 20)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 && args[0] == "help" { // latent help VERB
			for _, v := range verbs {
				if v.name == args[1] {
					return run([]string{v.name, "--help"}, stdout, stderr)
				}
			}
			fmt.Fprintf(stderr, "latent help: unknown command %q\n\n", args[1])
			mainUsage(stderr)
			return 2
		}
		if len(args) == 0 { // a usage error: the text goes to stderr
			mainUsage(stderr)
			return 2
		}
		mainUsage(stdout)
		return 0
	}
	for _, v := range verbs {
		if v.name == args[0] {
			err := v.run(args[1:], stdout, stderr)
			return exitCode(err, v.name, stderr)
		}
	}
	fmt.Fprintf(stderr, "latent: unknown command %q\n\n", args[0])
	mainUsage(stderr)
	return 2
}

func exitCode(err error, name string, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		help := name
		if ue.verb != "" {
			help = ue.verb
		}
		fmt.Fprintf(stderr, "latent %s: %v\nRun 'latent %s --help' for usage.\n", name, err, help)
		return 2
	case errors.Is(err, errInterrupted):
		fmt.Fprintf(stderr, "latent %s: %v\n", name, err)
		return 130
	default:
		fmt.Fprintf(stderr, "latent %s: %v\n", name, err)
		return 1
	}
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `latent trains and explores convolutional autoencoders (AE) and variational
autoencoders (VAE) on MNIST, in pure Go.

Usage:
  latent <command> [flags]

Commands:
`)
	for _, v := range verbs {
		fmt.Fprintf(w, "  %-12s %s\n", v.name, v.summary)
	}
	fmt.Fprint(w, `
Run 'latent <command> --help' for a command's flags and an example.
Start with:  latent demo
`)
}
