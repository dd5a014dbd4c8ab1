package report

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"latent/internal/browser"
)

// writeTestPNG writes a w×h PNG with a diagonal line.
func writeTestPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range min(w, h) {
		img.SetGray(i, i, color.Gray{255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func testReport(t *testing.T) (string, Report) {
	dir := t.TempDir()
	r := Report{Title: "test <report>", Intro: []string{"intro & more"},
		Metrics:  [][]string{{"model", "loss"}, {"AE", "0.016"}},
		Settings: [][2]string{{"epochs", "10"}}, Timings: [][2]string{{"AE training", "14 s"}}}
	for _, name := range []string{"a.png", "b.png", "c.png"} {
		writeTestPNG(t, filepath.Join(dir, name), 60, 40)
		r.Figures = append(r.Figures, Figure{File: name, Title: "Figure " + name, Caption: "caption of " + name})
	}
	return dir, r
}

func TestWriteHTMLIsSelfContained(t *testing.T) {
	dir, r := testReport(t)
	path := filepath.Join(dir, "report.html")
	if err := WriteHTML(path, dir, r); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	html := string(b)
	imgs := regexp.MustCompile(`<img src="data:image/png;base64,[A-Za-z0-9+/=&#;]+"`).FindAllString(html, -1)
	if len(imgs) != 3 {
		t.Errorf("%d inlined images, want 3", len(imgs))
	}
	for _, want := range []string{"test &lt;report&gt;", "intro &amp; more", "caption of b.png", "0.016", "AE training"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Error("report refers to the network; it must work offline")
	}
	// a missing figure is an error naming it
	r.Figures = append(r.Figures, Figure{File: "missing.png"})
	if err := WriteHTML(path, dir, r); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("missing figure: %v", err)
	}
}

// TestReportRendersInChromium loads the report in headless Chromium and
// checks that every image decoded (naturalWidth > 0).
func TestReportRendersInChromium(t *testing.T) {
	exe := browser.Chromium(t)
	dir, r := testReport(t)
	path := filepath.Join(dir, "report.html")
	if err := WriteHTML(path, dir, r); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	probe := strings.Replace(string(b), "</body>", `<script>
window.addEventListener("load", () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.setAttribute("data-images", ok + "/" + imgs.length);
});
</script></body>`, 1)
	probePath := filepath.Join(dir, "probe.html")
	os.WriteFile(probePath, []byte(probe), 0o644)
	out, err := exec.Command(exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=5000", "--dump-dom", "file://"+probePath).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	m := regexp.MustCompile(`data-images="(\d+)/(\d+)"`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("the page did not report its images; DOM starts %.300q", out)
	}
	if m[1] != m[2] || m[2] != "3" {
		t.Errorf("%s of %s images loaded, want 3 of 3", m[1], m[2])
	}
}
