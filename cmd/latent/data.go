package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"latent/dataset"
	"latent/fetch"
)

func runData(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("data", "Manage datasets. 'latent data fetch fashion-mnist' downloads Fashion-MNIST into\nthe user's cache folder (resumable, SHA-256 checked, renamed into place only when\ncorrect); 'latent data where NAME' prints the folder a dataset is read from.",
		"latent data fetch fashion-mnist", stdout)
	url := fs.String("url", dataset.FashionURL, "where to download from")
	stall := fs.Duration("stall", fetch.Options{}.Stall, "give up when no byte arrives for this long (0: 30s)")
	if len(args) < 2 || args[0] == "-h" || args[0] == "--help" {
		if err := parse(fs, []string{"--help"}); err != nil && len(args) > 0 {
			return err
		}
		return usagef("want 'fetch NAME' or 'where NAME'")
	}
	verb, name := args[0], args[1]
	if err := parse(fs, args[2:]); err != nil {
		return err
	}
	switch verb {
	case "where":
		if name != "fashion-mnist" {
			return usagef("only fashion-mnist is read from a folder; mnist is built in")
		}
		dir, err := dataset.FindFashion()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, dir)
		return nil
	case "fetch":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		bar := newProgress(stderr)
		dir, err := dataset.Fetch(ctx, name, *url, fetch.Options{Stall: *stall, Progress: func(done, total int64) {
			if total > 0 {
				bar.update("downloading "+name, int(done>>10), int(total>>10))
			}
		}})
		bar.done()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is in %s; use it with --dataset %s\n", name, dir, name)
		return nil
	}
	return usagef("unknown data command %q: want fetch or where", verb)
}
