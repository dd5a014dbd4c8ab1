package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataCommandLine: help only for --help/-h (exit 0, on stdout), every
// other malformed command line exit 2 with a message on stderr, flags before
// or after the dataset's name.
func TestDataCommandLine(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	for _, c := range []struct {
		args   []string
		code   int
		stdout string // in stdout ("" : stdout must be empty)
		stderr string // in stderr
	}{
		{[]string{"data", "--help"}, 0, "Usage: latent data", ""},
		{[]string{"data", "-h"}, 0, "Usage: latent data", ""},
		{[]string{"data", "fetch", "--help"}, 0, "Usage: latent data", ""},
		{[]string{"data", "fetch", "fashion-mnist", "--help"}, 0, "Usage: latent data", ""},
		{[]string{"data", "where", "-h"}, 0, "Usage: latent data", ""},
		{[]string{"data", "bogus", "--help"}, 0, "Usage: latent data", ""},
		{[]string{"help", "data"}, 0, "Usage: latent data", ""},
		{[]string{"data"}, 2, "", "want 'fetch NAME' or 'where NAME'"},
		{[]string{"data", "where"}, 2, "", "needs a dataset name"},
		{[]string{"data", "fetch"}, 2, "", "needs a dataset name"},
		{[]string{"data", "bogus"}, 2, "", `unknown data command "bogus"`},
		{[]string{"data", "bogus", "fashion-mnist"}, 2, "", `unknown data command "bogus"`},
		{[]string{"data", "where", "cifar"}, 2, "", `unknown dataset "cifar"`},
		{[]string{"data", "where", "fashion-mnist", "extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"data", "where", "mnist"}, 2, "", "built into latent"},
		{[]string{"data", "fetch", "mnist"}, 2, "", "built into latent"},
		{[]string{"data", "fetch", "idx:" + dir}, 2, "", "only fashion-mnist can be fetched"},
		{[]string{"data", "where", "--url", "http://x/", "fashion-mnist"}, 2, "", "--url is a flag of 'latent data fetch'"},
		{[]string{"data", "fetch", "--url", "ftp://x/", "fashion-mnist"}, 2, "", "--url"},
		{[]string{"data", "fetch", "fashion-mnist", "--url", "not a url"}, 2, "", "--url"},
		{[]string{"data", "fetch", "--stall", "-1s", "fashion-mnist"}, 2, "", "--stall"},
		{[]string{"data", "fetch", "--no-such-flag", "fashion-mnist"}, 2, "", "no-such-flag"},
		{[]string{"data", "where", "idx:" + dir}, 0, dir + "\n", ""},
		{[]string{"data", "where", "images:" + dir}, 0, dir + "\n", ""},
		{[]string{"data", "where", "idx:" + filepath.Join(dir, "nope")}, 1, "", "nope"},
		{[]string{"data", "where", "--", "idx:" + dir}, 0, dir + "\n", ""},
	} {
		code, stdout, stderr := run1(c.args...)
		if code != c.code || !strings.Contains(stderr, c.stderr) || (c.stdout == "") != (stdout == "") || !strings.Contains(stdout, c.stdout) {
			t.Errorf("latent %q: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				c.args, code, stdout, stderr, c.code, c.stdout, c.stderr)
		}
		if strings.HasPrefix(strings.Join(c.args, " "), "data where idx:") && strings.Contains(stderr, "mnist") {
			t.Errorf("latent %q: %q mentions mnist", c.args, stderr)
		}
	}
}

// TestDataFetchWithoutNetwork: an unreachable server (a closed local one: no
// real network) gives a sentence that says what failed, names Debian's
// package, and leaves no cache folder; the flags work before and after the name.
func TestDataFetchWithoutNetwork(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	for _, args := range [][]string{
		{"data", "fetch", "--url", url, "fashion-mnist"},
		{"data", "fetch", "fashion-mnist", "--url", url},
		{"data", "--url", url, "fetch", "fashion-mnist"},
	} {
		cache := t.TempDir()
		t.Setenv("XDG_CACHE_HOME", cache)
		code, stdout, stderr := run1(args...)
		if code != 1 || stdout != "" {
			t.Errorf("latent %q: exit %d, stdout %q; want exit 1 and nothing on stdout", args, code, stdout)
		}
		for _, want := range []string{"could not reach " + strings.TrimPrefix(url, "http://"), "check the network", "dataset-fashion-mnist"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("latent %q: stderr %q does not say %q", args, stderr, want)
			}
		}
		if strings.Contains(stderr, "dial tcp") {
			t.Errorf("latent %q: Go's raw network error in %q", args, stderr)
		}
		if left, _ := os.ReadDir(cache); len(left) != 0 {
			t.Errorf("latent %q: the failed fetch left %v in the cache", args, left)
		}
	}
}
