// Package browser finds Debian's Chromium for the tests that render pages.
package browser

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the browser's path. Without one the test is skipped on a
// developer's machine, but fails where LATENT_REQUIRE_CHROMIUM is set (.ci/run
// installs Chromium and sets it).
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("LATENT_REQUIRE_CHROMIUM") != "" {
		t.Fatal("chromium is not installed (apt-get install chromium)")
	}
	t.Skip("chromium is not installed; .ci/run installs it")
	return ""
}
