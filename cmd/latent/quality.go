package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"latent/classifier"
	"latent/dataset"
	"latent/evaluate"
	"latent/internal/atomicfile"
)

// judgeTraining is the recipe of the classifier trained into latent's cache
// when it is missing (a variable: tests train a tiny one).
var judgeTraining = classifier.DefaultConfig

// loadJudge loads the digit classifier that judges samples from path and
// computes the real test images' reference scores. An explicit path must hold
// a classifier; path "" is latent's cache, where a missing classifier is
// trained on MNIST first (about 2 minutes, with a progress bar and a message
// on stderr).
func loadJudge(ctx context.Context, path string, threads int, stderr io.Writer) (*evaluate.Judge, error) {
	trainSet, test, err := dataset.Load("mnist")
	if err != nil {
		return nil, err
	}
	cfg := judgeTraining()
	cfg.Threads = threads
	if path == "" {
		if p := defaultClassifier(); p != "" {
			if _, err := os.Stat(p); err != nil {
				// first: minutes of training must not end in "cannot save it"
				if err := atomicfile.CheckWritable(filepath.Dir(p)); err != nil {
					return nil, fmt.Errorf("no digit classifier in latent's cache yet, and none can be stored there: %w; set XDG_CACHE_HOME to a writable folder, give --classifier FILE, or turn judging off with --quality=false", err)
				}
				fmt.Fprintf(stderr, "no digit classifier in %s yet: training one on MNIST (once; about 2 minutes)\n", p)
			}
		}
	}
	bar := newProgress(stderr)
	start := time.Now()
	net, trained, err := classifier.LoadOrTrain(ctx, path, trainSet, test, cfg, func(p classifier.Progress) {
		bar.update(fmt.Sprintf("training the digit classifier, epoch %d/%d", p.Epoch, p.Epochs), p.Batch, p.Batches)
	})
	bar.done()
	if err != nil {
		return nil, fmt.Errorf("the digit classifier that judges samples: %w", err)
	}
	if trained {
		fmt.Fprintf(stderr, "trained the digit classifier in %.0fs: %.2f%% test accuracy (kept in %s)\n",
			time.Since(start).Seconds(), 100*net.TestAccuracy, defaultClassifier())
	}
	net.Threads = threads
	return evaluate.NewJudge(net, test)
}
