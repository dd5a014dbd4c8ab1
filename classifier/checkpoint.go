package classifier

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"latent/mnist"
	"latent/safetensors"
)

// Metadata keys of a classifier file.
const (
	MetaKind         = "latent.kind" // "classifier"
	MetaWidth        = "latent.width"
	MetaHidden       = "latent.hidden"
	MetaTestAccuracy = "latent.test_accuracy"
	Kind             = "classifier"
)

// Save writes the weights, the architecture, the test accuracy (if known)
// and net.Meta to path as safetensors, atomically.
func (net *Net) Save(path string) error {
	meta := map[string]string{}
	for k, v := range net.Meta {
		meta[k] = v
	}
	meta[MetaKind] = Kind
	meta[MetaWidth] = fmt.Sprintf("%d,%d,%d", net.Width[0], net.Width[1], net.Width[2])
	meta[MetaHidden] = strconv.Itoa(net.Hidden)
	if net.TestAccuracy >= 0 {
		meta[MetaTestAccuracy] = strconv.FormatFloat(net.TestAccuracy, 'f', 4, 64)
	}
	tensors := make([]safetensors.Tensor, 0, len(net.Params.List))
	for _, p := range net.Params.List {
		tensors = append(tensors, safetensors.Tensor{Name: p.Name, Shape: p.Shape, Data: p.Of(net.Data)})
	}
	return safetensors.WriteFile(path, tensors, meta)
}

// Load reads a classifier written by Save. Errors name path.
func Load(path string) (*Net, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, a...))
	}
	if k := f.Metadata[MetaKind]; k != Kind {
		return nil, bad("not a classifier (metadata %s=%q, want %q)", MetaKind, k, Kind)
	}
	var a Arch
	parts := strings.Split(f.Metadata[MetaWidth], ",")
	if len(parts) != 3 {
		return nil, bad("metadata %s=%q is not three numbers", MetaWidth, f.Metadata[MetaWidth])
	}
	for i, s := range parts {
		if a.Width[i], err = strconv.Atoi(s); err != nil {
			return nil, bad("metadata %s=%q is not three numbers", MetaWidth, f.Metadata[MetaWidth])
		}
	}
	if a.Hidden, err = strconv.Atoi(f.Metadata[MetaHidden]); err != nil {
		return nil, bad("metadata %s=%q is not a number", MetaHidden, f.Metadata[MetaHidden])
	}
	if err := a.Validate(); err != nil {
		return nil, bad("%v", err)
	}
	net, err := New(a, 0)
	if err != nil {
		return nil, err
	}
	for _, p := range net.Params.List {
		t, err := f.Lookup(p.Name)
		if err != nil {
			return nil, err
		}
		if err := p.CheckShape(t.Shape); err != nil {
			return nil, bad("%v", err)
		}
		copy(p.Of(net.Data), t.Data)
	}
	if len(f.Tensors) != len(net.Params.List) {
		for _, t := range f.Tensors {
			if _, ok := net.Params.Lookup(t.Name); !ok {
				return nil, bad("unexpected tensor %q for a classifier", t.Name)
			}
		}
	}
	if s, ok := f.Metadata[MetaTestAccuracy]; ok {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v >= 0 && v <= 1) {
			return nil, bad("metadata %s=%q is not a share in [0, 1]", MetaTestAccuracy, s)
		}
		net.TestAccuracy = v
	}
	for k, v := range f.Metadata {
		switch k {
		case MetaKind, MetaWidth, MetaHidden, MetaTestAccuracy:
		default:
			net.Meta[k] = v
		}
	}
	return net, nil
}

// DefaultPath is where latent keeps its trained classifier:
// os.UserCacheDir()/latent/classifier.safetensors.
func DefaultPath() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("classifier: no cache folder for the trained classifier: %w", err)
	}
	return filepath.Join(base, "latent", "classifier.safetensors"), nil
}

// LoadOrTrain loads the classifier at path. An explicit path must hold a
// classifier: a missing file or another kind of file is an error that says how
// to make one, and nothing is written. Only with path "" (DefaultPath, latent's
// cache) does it train one when the file is missing or unreadable: on all of
// train with cfg (reporting to progress), scored on test, saved to the cache.
// trained says which happened. If the training succeeded but the file cannot
// be written, it returns the trained network together with the error.
func LoadOrTrain(ctx context.Context, path string, train, test *mnist.Set, cfg Config,
	progress func(Progress)) (net *Net, trained bool, err error) {
	if path != "" {
		net, err := Load(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, false, fmt.Errorf("%s does not exist; make it with 'latent classifier train --out %s', or leave the flag out to use latent's cache", path, path)
		case err != nil:
			return nil, false, fmt.Errorf("%w; give a file written by 'latent classifier train --out FILE', or leave the flag out to use latent's cache", err)
		}
		return net, false, nil
	}
	if path, err = DefaultPath(); err != nil {
		return nil, false, err
	}
	if net, err := Load(path); err == nil {
		return net, false, nil
	}
	if net, err = Train(ctx, train, nil, cfg, progress); err != nil {
		return nil, false, err
	}
	if net.TestAccuracy, err = net.Accuracy(test, nil); err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return net, true, fmt.Errorf("classifier: trained, but cannot save it: %w", err)
	}
	if err := net.Save(path); err != nil {
		return net, true, fmt.Errorf("classifier: trained, but cannot save it: %w", err)
	}
	return net, true, nil
}
