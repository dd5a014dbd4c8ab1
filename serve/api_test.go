package serve

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"latent/mnist"
	"latent/model"
)

// TestWrongMethodNamesTheAllowedOne: 405 with an Allow header, for every
// API call.
func TestWrongMethodNamesTheAllowedOne(t *testing.T) {
	_, hs := testServer(t, model.VAE)
	for _, c := range []struct{ method, path, allow string }{
		{"GET", "/api/decode", "POST"},
		{"DELETE", "/api/encode", "POST"},
		{"GET", "/api/interpolate", "POST"},
		{"POST", "/api/info", "GET, HEAD"},
		{"POST", "/api/map", "GET, HEAD"},
		{"PUT", "/api/test/1", "GET, HEAD"},
		{"POST", "/api/random", "GET, HEAD"},
	} {
		req, _ := http.NewRequest(c.method, hs.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: status %d, Allow %q; want 405 and %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), c.allow)
		}
	}
}

// TestRandomDrawsFromTheModelsPrior: with a stored mixture whose only
// component sits at 50 with a tiny spread, every random code is near 50 (an
// N(0, I) draw never is).
func TestRandomDrawsFromTheModelsPrior(t *testing.T) {
	s, hs := testServer(t, model.VAE)
	l := s.m.Latent
	p := &model.Mixture{Weights: []float32{1}, Means: make([]float32, l), Logvars: make([]float32, l)}
	for i := range l {
		p.Means[i], p.Logvars[i] = 50, -10
	}
	s.m.Prior = p
	var first []any
	for i := range 5 {
		status, out := call(t, "GET", hs.URL+"/api/random", "")
		z, _ := out["z"].([]any)
		if status != 200 || len(z) != l {
			t.Fatalf("random: status %d, %d numbers", status, len(z))
		}
		for _, v := range z {
			if f, _ := v.(float64); math.Abs(f-50) > 0.1 {
				t.Fatalf("random z %v is not from the prior N(50, e^-10)", z)
			}
		}
		if i == 0 {
			first = z
		} else if fmt.Sprint(z) == fmt.Sprint(first) {
			t.Error("two random codes are equal")
		}
	}
	_, info := call(t, "GET", hs.URL+"/api/info", "")
	if pr, _ := info["prior"].(string); !strings.Contains(pr, "1-component") {
		t.Errorf("info's prior %q does not describe the stored mixture", pr)
	}
	if side, _ := info["side"].(float64); int(side) != model.Side {
		t.Errorf("info's side %v, want the model's image side %d (the page sizes its canvases by it)", info["side"], model.Side)
	}
}

// TestConditionalDrawsTheDigit: a CVAE is served, and the digit sent changes
// the decoded image (the same z drawn as a 1 and as an 8).
func TestConditionalDrawsTheDigit(t *testing.T) {
	s, hs := testServer(t, model.CVAE)
	z := "[" + strings.TrimSuffix(strings.Repeat("0.3,", s.m.CodeDim()), ",") + "]"
	got := map[int]string{}
	for _, d := range []int{1, 8} {
		status, out := call(t, "POST", hs.URL+"/api/decode", fmt.Sprintf(`{"z":%s,"digit":%d}`, z, d))
		if status != 200 {
			t.Fatalf("decode digit %d: status %d %v", d, status, out["error"])
		}
		b, _ := json.Marshal(out["pixels"])
		got[d] = string(b)
		// the server's own decoding with that label
		zs := make([]float32, s.m.CodeDim())
		for i := range zs {
			zs[i] = 0.3
		}
		want, _ := json.Marshal(gray(s.m.DecodeLabeled(zs, []uint8{uint8(d)}, 1)))
		if got[d] != string(want) {
			t.Errorf("decode digit %d is not the model's decode with label %d", d, d)
		}
	}
	if got[1] == got[8] {
		t.Error("the same z drawn as a 1 and as an 8 gave the same image")
	}
	_, info := call(t, "GET", hs.URL+"/api/info", "")
	if c, _ := info["classes"].(float64); c != 10 {
		t.Errorf("info: classes %v, want 10", info["classes"])
	}
}

// TestNoPlottingStack: the explorer does not import the figure and plotting
// packages (report, viz, gonum/plot).
func TestNoPlottingStack(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "latent/serve").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v: %s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "latent/report" || dep == "latent/viz" || strings.HasPrefix(dep, "gonum.org/v1/plot") {
			t.Errorf("serve depends on %s", dep)
		}
	}
}

// TestSmallTestSet: a dataset with few test images is mapped (the
// perplexity follows the number of points); fewer than MinMapPoints is an
// error.
func TestSmallTestSet(t *testing.T) {
	m, err := model.New(model.Seed(model.VAE), 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		n  int
		ok bool
	}{{40, true}, {MinMapPoints, true}, {MinMapPoints - 1, false}} {
		set := &mnist.Set{N: c.n, Rows: 28, Cols: 28, Images: make([]uint8, c.n*784), Labels: make([]uint8, c.n)}
		for i := range set.Images {
			set.Images[i] = uint8(i * 7 % 251)
		}
		s, err := New(m, set, Options{})
		if (err == nil) != c.ok {
			t.Errorf("%d test images: error %v, want ok %v", c.n, err, c.ok)
		}
		if err == nil && s.mapN != c.n {
			t.Errorf("%d test images: %d on the map", c.n, s.mapN)
		}
	}
}
