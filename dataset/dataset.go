// Package dataset resolves a --dataset name to training and test image sets:
// the embedded MNIST, Fashion-MNIST (from the cache, Debian's package or a
// download), any IDX folder, or a folder of PNG/JPEG images sorted into one
// subfolder per label.
package dataset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"latent/fetch"
	"latent/mnist"
)

// Names lists the accepted forms, for help texts.
const Names = "mnist, fashion-mnist, idx:DIR or images:DIR"

// Parse checks the form of a --dataset value without reading anything.
func Parse(spec string) (string, error) {
	switch {
	case spec == "" || spec == "mnist" || spec == "fashion-mnist":
		return spec, nil
	case strings.HasPrefix(spec, "idx:") && len(spec) > 4, strings.HasPrefix(spec, "images:") && len(spec) > 7:
		return spec, nil
	}
	return "", fmt.Errorf("unknown dataset %q (want %s)", spec, Names)
}

// Load returns the sets a --dataset value names.
func Load(spec string) (train, test *mnist.Set, err error) {
	switch {
	case spec == "" || spec == "mnist":
		return mnist.LoadEmbedded()
	case spec == "fashion-mnist":
		dir, err := FindFashion()
		if err != nil {
			return nil, nil, err
		}
		return mnist.LoadDir(dir)
	case strings.HasPrefix(spec, "idx:"):
		return mnist.LoadDir(strings.TrimPrefix(spec, "idx:"))
	case strings.HasPrefix(spec, "images:"):
		return LoadImages(strings.TrimPrefix(spec, "images:"))
	}
	return nil, nil, fmt.Errorf("unknown dataset %q (want %s)", spec, Names)
}

// Fashion-MNIST's four files. The checksums are of the gunzipped IDX data,
// so they hold for the canonical files and for Debian's recompressed ones.
// Their gunzipped sizes are the IDX headers plus the data (16 + n·28·28 and
// 8 + n bytes); they bound the downloads, whose compressed sizes differ
// between the canonical and Debian's files.
var Fashion = []fetch.File{
	{Name: "train-images-idx3-ubyte.gz", SHA256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", Gunzip: true, GunzipSize: 16 + 60000*28*28},
	{Name: "train-labels-idx1-ubyte.gz", SHA256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", Gunzip: true, GunzipSize: 8 + 60000},
	{Name: "t10k-images-idx3-ubyte.gz", SHA256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", Gunzip: true, GunzipSize: 16 + 10000*28*28},
	{Name: "t10k-labels-idx1-ubyte.gz", SHA256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", Gunzip: true, GunzipSize: 8 + 10000},
}

// FashionURL is where `latent data fetch fashion-mnist` downloads from.
const FashionURL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

// DebianFashionDir is where Debian's dataset-fashion-mnist package puts the files.
const DebianFashionDir = "/usr/share/datasets/fashion-mnist"

// CacheDir is latent's folder for fetched datasets: os.UserCacheDir()/latent/NAME.
func CacheDir(name string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder for downloads: %w", err)
	}
	return filepath.Join(base, "latent", name), nil
}

// FindFashion returns a folder holding Fashion-MNIST with the right
// checksums: the cache first, then Debian's package.
func FindFashion() (string, error) {
	var dirs []string
	if c, err := CacheDir("fashion-mnist"); err == nil {
		dirs = append(dirs, c)
	}
	dirs = append(dirs, DebianFashionDir)
	for _, dir := range dirs {
		if complete(dir, Fashion) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("Fashion-MNIST not found in %s; run 'latent data fetch fashion-mnist' or 'apt-get install dataset-fashion-mnist'",
		strings.Join(dirs, " or "))
}

// complete reports whether dir holds every file with its checksum.
func complete(dir string, files []fetch.File) bool {
	for _, f := range files {
		if ok, err := fetch.Verify(filepath.Join(dir, f.Name), f); err != nil || !ok {
			return false
		}
	}
	return true
}

// Where returns the folder a --dataset value is read from: for fashion-mnist
// the first folder that holds every file with its checksum, for idx:DIR and
// images:DIR the folder DIR (which must exist). mnist is built in: no folder.
func Where(spec string) (string, error) {
	var dir string
	switch {
	case spec == "" || spec == "mnist":
		return "", errors.New("mnist is built into latent: it is not read from a folder")
	case spec == "fashion-mnist":
		return FindFashion()
	case strings.HasPrefix(spec, "idx:"):
		dir = strings.TrimPrefix(spec, "idx:")
	case strings.HasPrefix(spec, "images:"):
		dir = strings.TrimPrefix(spec, "images:")
	default:
		return "", fmt.Errorf("unknown dataset %q (want %s)", spec, Names)
	}
	if _, err := Parse(spec); err != nil {
		return "", err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("%s: %w", spec, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s: %s is not a folder", spec, dir)
	}
	return filepath.Abs(dir)
}

// Fetch downloads a named dataset into the cache and returns its folder. A
// fetch that fails removes the folders it created while they are still empty
// (a partial download stays, to be resumed); when the server cannot be
// reached, the error says how to get Fashion-MNIST without network.
func Fetch(ctx context.Context, name, baseURL string, opt fetch.Options) (string, error) {
	if name != "fashion-mnist" {
		if name == "mnist" {
			return "", errors.New("mnist is built into latent: nothing to fetch")
		}
		return "", fmt.Errorf("unknown dataset %q: only fashion-mnist can be fetched", name)
	}
	dir, err := CacheDir(name)
	if err != nil {
		return "", err
	}
	created := missing(dir)
	for _, f := range Fashion {
		f.URL = strings.TrimSuffix(baseURL, "/") + "/" + f.Name
		if _, err := fetch.Get(ctx, dir, f, opt); err != nil {
			for _, d := range created {
				os.Remove(d) // only an empty folder goes
			}
			if errors.Is(err, fetch.ErrUnreachable) {
				err = fmt.Errorf("%w\nwithout network: Debian's dataset-fashion-mnist package provides Fashion-MNIST offline "+
					"(apt-get install dataset-fashion-mnist); latent reads it from %s", err, DebianFashionDir)
			}
			return "", err
		}
	}
	return dir, nil
}

// missing lists dir and those of its parents that do not exist yet, deepest first.
func missing(dir string) []string {
	var out []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, os.ErrNotExist) || filepath.Dir(d) == d {
			return out
		}
		out = append(out, d)
	}
}
