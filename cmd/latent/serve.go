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
	"strconv"
	"syscall"
	"time"

	"latent/serve"
)

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "Explore a model's latent space in the browser: sliders that decode while they\nmove, random codes from the model's prior, the test set's t-SNE map (hover,\nclick two points to interpolate), and a pad to draw a digit and see its code\nand reconstruction; a conditional VAE gets a digit selector. The test images\nare those of the dataset the model was trained on (or --dataset). Everything\nis served by latent itself; the page works offline. Writes no file.",
		"latent serve --model runs/vae/model.safetensors --addr 127.0.0.1:8080", stdout)
	var d dataFlags
	d.register(fs)
	datasetHelp(fs)
	fs.Lookup("seed").Usage = "seed of the page's random codes (\"random z\") and of the noise t-SNE adds only when the codes vary in fewer than 2 directions"
	path := fs.String("model", "", "checkpoint to explore (required)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on, HOST:PORT (loopback by default; 0.0.0.0:PORT for every interface)")
	points := fs.Int("map-points", 2000, "test images on the t-SNE map, 10..10000 (at most the test set)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := d.validate(); err != nil {
		return err
	}
	if *path == "" {
		return usagef("--model is required: the checkpoint to explore")
	}
	if *points < serve.MinMapPoints || *points > 10000 {
		return usagef("--map-points must be in %d..10000, got %d", serve.MinMapPoints, *points)
	}
	host, err := checkAddr(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(stderr, "warning: --addr %s is reachable from other machines; latent serve has no authentication\n", *addr)
	}
	ln, err := net.Listen("tcp", *addr) // fail before the model is read and the map computed
	if err != nil {
		return fmt.Errorf("--addr %s: cannot listen (%w); choose another port or address", *addr, err)
	}
	defer ln.Close()
	m, meta, err := loadModel(*path)
	if err != nil {
		return err
	}
	_, test, err := d.loadForModel(fs, meta, stderr)
	if err != nil {
		return err
	}
	bar := newProgress(stderr)
	srv, err := serve.New(m, test, serve.Options{MapPoints: *points, Seed: d.seed, Threads: d.threads,
		Progress: func(iter, total int) { bar.update("t-SNE map", iter, total) }})
	bar.done()
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "exploring %s at %s (Ctrl-C to stop)\n", *path, serveURL(host, ln.Addr().(*net.TCPAddr).Port))
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

// checkAddr validates --addr (HOST:PORT, port 0..65535 or a service name
// such as http) without touching the network.
func checkAddr(addr string) (host string, err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", usagef("--addr %q: want HOST:PORT such as 127.0.0.1:8080 (%v)", addr, err)
	}
	if p, err := strconv.Atoi(port); err == nil {
		if p < 0 || p > 65535 {
			return "", usagef("--addr %q: port %d is outside 0..65535", addr, p)
		}
		return host, nil
	}
	if _, err := net.LookupPort("tcp", port); err != nil || port == "" {
		return "", usagef("--addr %q: %q is not a port number (0..65535)", addr, port)
	}
	return host, nil
}

// serveURL is the address a person can open for a server listening on host
// (as --addr gave it) and port: on all interfaces (0.0.0.0, ::, or no host)
// the loopback address, and this machine's name for other machines.
func serveURL(host string, port int) string {
	p := strconv.Itoa(port)
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		return "http://" + net.JoinHostPort(host, p) + "/"
	}
	u := "http://" + net.JoinHostPort("127.0.0.1", p) + "/ (listening on all interfaces"
	if name, err := os.Hostname(); err == nil && name != "" {
		u += "; from another machine: http://" + net.JoinHostPort(name, p) + "/"
	}
	return u + ")"
}
