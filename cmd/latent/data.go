package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"latent/dataset"
	"latent/fetch"
)

const dataSummary = `Manage datasets.
  latent data fetch fashion-mnist   download Fashion-MNIST into the user's cache folder
                                    (resumable, SHA-256 checked, renamed into place only
                                    when correct); without network, Debian's
                                    dataset-fashion-mnist package provides it offline
  latent data where NAME            print the folder a dataset is read from
                                    (NAME: fashion-mnist, idx:DIR or images:DIR;
                                    mnist is built into latent)
Flags may come before or after NAME.`

func runData(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("data", dataSummary, "latent data fetch fashion-mnist", stdout)
	fs.help = func() {
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "Usage: latent data fetch|where NAME [flags]\n\n%s\n\nExample:\n  latent data fetch fashion-mnist\n  latent data where fashion-mnist\n\nFlags (fetch):\n", dataSummary)
		fs.PrintDefaults()
	}
	rawURL := fs.String("url", dataset.FashionURL, "where to download from (http:// or https://)")
	stall := fs.Duration("stall", fetch.Options{}.Stall, "give up when no byte arrives for this long (0: 30s)")
	words, err := parseAnywhere(fs, args)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return usagef("want 'fetch NAME' or 'where NAME'")
	}
	verb := words[0]
	if verb != "fetch" && verb != "where" {
		return usagef("unknown data command %q: want fetch or where", verb)
	}
	if len(words) < 2 {
		return usagef("'latent data %s' needs a dataset name, e.g. 'latent data %s fashion-mnist'", verb, verb)
	}
	if len(words) > 2 {
		return usagef("unexpected argument %q", words[2])
	}
	name := words[1]
	if _, err := dataset.Parse(name); err != nil || name == "" {
		return usagef("unknown dataset %q (want %s)", name, dataset.Names)
	}
	switch verb {
	case "where":
		for _, f := range []string{"url", "stall"} {
			if fs.wasSet(f) {
				return usagef("--%s is a flag of 'latent data fetch'", f)
			}
		}
		if name == "mnist" {
			return usagef("mnist is built into latent: it is not read from a folder")
		}
		dir, err := dataset.Where(name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, dir)
		return nil
	}
	if name != "fashion-mnist" {
		if name == "mnist" {
			return usagef("mnist is built into latent: nothing to fetch")
		}
		return usagef("only fashion-mnist can be fetched; %s is read from its folder", name)
	}
	if u, err := url.Parse(*rawURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url %q: want an http:// or https:// address", *rawURL)
	}
	if *stall < 0 {
		return usagef("--stall must be ≥ 0, got %v", *stall)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgress(stderr)
	dir, err := dataset.Fetch(ctx, name, *rawURL, fetch.Options{Stall: *stall, Progress: func(done, total int64) {
		if total > 0 {
			bar.update("downloading "+name, int(done>>10), int(total>>10))
		}
	}})
	bar.done()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: run the same command again to resume the download", errInterrupted)
		}
		return err
	}
	fmt.Fprintf(stdout, "%s is in %s; use it with --dataset %s\n", name, dir, name)
	return nil
}

// parseAnywhere parses flags that come before, between or after the words of
// a command line and returns the words. --help or -h anywhere prints the help
// (flag.ErrHelp); a bad flag is a usage error.
func parseAnywhere(fs *flagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard) // the caller prints the error, once
	var words []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.help()
			return nil, err
		}
		if err != nil {
			return nil, usageError{msg: flagError(fs.FlagSet, err)}
		}
		if fs.NArg() == 0 {
			return words, nil
		}
		if n := len(args) - fs.NArg(); n > 0 && args[n-1] == "--" { // the rest are words
			return append(words, fs.Args()...), nil
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
