package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"latent/model"
	"latent/serve"
)

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "Explore a model's latent space in the browser: sliders that decode while they\nmove, the test set's t-SNE map (hover, click two points to interpolate), and a\npad to draw a digit and see its code and reconstruction. Everything is served by\nlatent itself; the page works offline.",
		"latent serve --model runs/vae/model.safetensors --addr 127.0.0.1:8080", stdout)
	var d dataFlags
	d.register(fs)
	path := fs.String("model", "", "checkpoint to explore (required)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (loopback by default)")
	points := fs.Int("map-points", 2000, "test images on the t-SNE map")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := d.validate(); err != nil {
		return err
	}
	if *path == "" {
		return usagef("--model is required: the checkpoint to explore")
	}
	if *points < 100 || *points > 10000 {
		return usagef("--map-points must be in 100..10000, got %d", *points)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef("--addr %q: %v", *addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(stderr, "warning: --addr %s is reachable from other machines; latent serve has no authentication\n", *addr)
	}
	m, meta, err := model.Load(*path)
	if err != nil {
		return err
	}
	if ds := meta["latent.dataset"]; ds != "" && !fs.wasSet("dataset") && !fs.wasSet("data") {
		d.dataset = ds
	}
	_, test, err := d.load()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr) // fail before the map is computed
	if err != nil {
		return err
	}
	bar := newProgress(stderr)
	srv, err := serve.New(m, test, serve.Options{MapPoints: *points, Seed: d.seed, Threads: d.threads,
		Progress: func(iter, total int) { bar.update("t-SNE map", iter, total) }})
	bar.done()
	if err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "exploring %s at http://%s/ (Ctrl-C to stop)\n", *path, ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}
