package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"latent/mnist"
	"latent/model"
)

// testServer builds a server on a fresh model of kind and 300 random images.
func testServer(t testing.TB, kind model.Kind) (*Server, *httptest.Server) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	set := &mnist.Set{N: 300, Rows: 28, Cols: 28, Images: make([]uint8, 300*784), Labels: make([]uint8, 300)}
	for i := range set.Images {
		if rng.IntN(4) == 0 {
			set.Images[i] = uint8(rng.IntN(256))
		}
	}
	for i := range set.Labels {
		set.Labels[i] = uint8(i % 10)
	}
	m, err := model.New(model.Seed(kind), 3)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(m, set, Options{MapPoints: 200})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return s, hs
}

func call(t testing.TB, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: bad JSON %q", method, url, b)
		}
	}
	return resp.StatusCode, out
}

func TestEndpoints(t *testing.T) {
	for _, kind := range []model.Kind{model.VAE, model.AE, model.CVAE} {
		s, hs := testServer(t, kind)
		dim := s.m.CodeDim()
		zeros := "[" + strings.TrimSuffix(strings.Repeat("0,", dim), ",") + "]"
		nullZ := "[null" + strings.Repeat(",0", dim-1) + "]"
		pixels := "[" + strings.TrimSuffix(strings.Repeat("0.5,", 784), ",") + "]"
		big := `{"z":[` + strings.Repeat("0,", 40000) + `0]}`
		digit := "" // what a good decode/encode body adds: a CVAE needs the digit
		if kind == model.CVAE {
			digit = `, "digit": 3`
		}
		type apiCase struct {
			method, path, body string
			status             int
			key                string // in a good answer, or the error's text
		}
		cases := []apiCase{
			{"GET", "/", "", 200, ""},
			{"GET", "/api/info", "", 200, "codeDim"},
			{"GET", "/api/map", "", 200, "points"},
			{"GET", "/api/test/5", "", 200, "recon"},
			{"GET", "/api/test/300", "", 400, "index"},
			{"GET", "/api/test/-1", "", 400, "index"},
			{"GET", "/api/test/x", "", 400, "index"},
			{"POST", "/api/decode", `{"z":` + zeros + digit + `}`, 200, "pixels"},
			{"POST", "/api/decode", `{"z":[1,2]}`, 400, "numbers"},
			{"POST", "/api/decode", `{"z":` + nullZ + digit + `}`, 400, "z[0] is null"},
			{"POST", "/api/decode", `{"z":["NaN"]}`, 400, "JSON"},
			{"POST", "/api/decode", `{"z":[1e999]}`, 400, "JSON"},
			{"POST", "/api/decode", `{"z":` + zeros + `, "x": 1}`, 400, "unknown field"},
			{"POST", "/api/decode", `{"z":` + zeros + `, "digit": "3"}`, 400, "JSON"},
			{"POST", "/api/decode", `{"z":` + zeros + `}{}`, 400, "more than one"},
			{"POST", "/api/decode", `not json`, 400, "JSON"},
			{"POST", "/api/decode", big, 413, "larger"},
			{"GET", "/api/decode", "", 405, "use POST"},
			{"PUT", "/api/decode", "", 405, "use POST"},
			{"POST", "/api/info", "", 405, "use GET"},
			{"DELETE", "/api/test/3", "", 405, "use GET"},
			{"GET", "/api/nothing", "", 404, "not an API call"},
			{"POST", "/api/nothing", "", 404, "not an API call"},
			{"GET", "/api/test/3/x", "", 404, "not an API call"},
			{"GET", "/api/test/", "", 404, "not an API call"},
			{"POST", "/api/encode", `{"pixels":` + pixels + digit + `}`, 200, "recon"},
			{"POST", "/api/encode", `{"pixels":[0.5,0.5]}`, 400, "784"},
			{"POST", "/api/encode", `{"pixels":` + strings.Replace(pixels, "0.5", "7", 1) + digit + `}`, 400, "outside"},
			{"POST", "/api/encode", `{"pixels":` + strings.Replace(pixels, "0.5", "null", 1) + digit + `}`, 400, "pixels[0] is null"},
			{"POST", "/api/interpolate", `{"from":0,"to":9,"steps":5}`, 200, "images"},
			{"POST", "/api/interpolate", `{"from":0,"to":9,"steps":500}`, 400, "steps"},
			{"POST", "/api/interpolate", `{"from":0,"to":90000,"steps":5}`, 400, "indices"},
			{"GET", "/../../etc/passwd", "", 404, ""},
		}
		if kind == model.CVAE {
			cases = append(cases,
				apiCase{"POST", "/api/decode", `{"z":` + zeros + `}`, 400, "digit is required"},
				apiCase{"POST", "/api/decode", `{"z":` + zeros + `, "digit": 10}`, 400, "outside 0..9"},
				apiCase{"POST", "/api/decode", `{"z":` + zeros + `, "digit": -1}`, 400, "outside 0..9"},
				apiCase{"POST", "/api/encode", `{"pixels":` + pixels + `}`, 400, "digit is required"},
				apiCase{"POST", "/api/interpolate", `{"from":0,"to":9,"steps":5,"digit":4}`, 200, "images"},
				apiCase{"POST", "/api/interpolate", `{"from":0,"to":9,"steps":5,"digit":12}`, 400, "outside"},
				apiCase{"GET", "/api/test/5?digit=7", "", 200, "recon"},
				apiCase{"GET", "/api/test/5?digit=x", "", 400, "digit"},
				apiCase{"GET", "/api/test/5?digit=10", "", 400, "outside"})
		} else {
			cases = append(cases,
				apiCase{"POST", "/api/decode", `{"z":` + zeros + `, "digit": 3}`, 400, "not conditional"},
				apiCase{"POST", "/api/interpolate", `{"from":0,"to":9,"steps":5,"digit":4}`, 400, "not conditional"},
				apiCase{"GET", "/api/test/5?digit=7", "", 400, "not conditional"})
		}
		if kind == model.AE {
			cases = append(cases, apiCase{"GET", "/api/random", "", 400, "no prior"})
		} else {
			cases = append(cases, apiCase{"GET", "/api/random", "", 200, "z"})
		}
		for _, c := range cases {
			status, out := call(t, c.method, hs.URL+c.path, c.body)
			if status != c.status {
				t.Errorf("%s: %s %s: status %d, want %d (%v)", kind, c.method, c.path, status, c.status, out["error"])
				continue
			}
			if c.key == "" {
				continue
			}
			if status == 200 {
				if _, ok := out[c.key]; !ok {
					t.Errorf("%s: %s %s: no %q in the answer", kind, c.method, c.path, c.key)
				}
			} else if msg, _ := out["error"].(string); !strings.Contains(msg, c.key) {
				t.Errorf("%s: %s %s: error %q, want it to mention %q", kind, c.method, c.path, msg, c.key)
			}
		}
		// a decode answers 784 gray levels, and the same z gives the same digit
		_, a := call(t, "POST", hs.URL+"/api/decode", `{"z":`+zeros+digit+`}`)
		_, b := call(t, "POST", hs.URL+"/api/decode", `{"z":`+zeros+digit+`}`)
		if px, _ := a["pixels"].([]any); len(px) != 784 || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: decode gave %d pixels, or differs between calls", kind, len(px))
		}
	}
}

// FuzzRequests throws arbitrary bodies at the JSON endpoints of a VAE and of
// a conditional VAE: never a 5xx, never a panic.
func FuzzRequests(f *testing.F) {
	_, vae := testServer(f, model.VAE)
	_, cvae := testServer(f, model.CVAE)
	for _, seed := range []string{`{"z":[0,0,0,0,0,0,0,0]}`, `{"pixels":[1,2]}`, `{"from":1,"to":2,"steps":3}`, `{"z":[1e308,-1e308]}`, `[`, `{"z":null}`,
		`{"z":[null,0,0,0,0,0,0,0]}`, `{"z":[0,0,0,0,0,0,0,0],"digit":3}`, `{"from":1,"to":2,"steps":3,"digit":-5}`, `{"pixels":[null]}`} {
		for _, cond := range []bool{false, true} {
			f.Add("decode", seed, cond)
			f.Add("encode", seed, cond)
			f.Add("interpolate", seed, cond)
		}
	}
	f.Fuzz(func(t *testing.T, endpoint, body string, cond bool) {
		if endpoint != "decode" && endpoint != "encode" && endpoint != "interpolate" {
			return
		}
		hs := vae
		if cond {
			hs = cvae
		}
		resp, err := http.Post(hs.URL+"/api/"+endpoint, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %q: status %d", endpoint, body, resp.StatusCode)
		}
	})
}

// TestLoad sends 20,000 decode requests from 32 concurrent clients to a
// server on 127.0.0.1 and requires no error; it logs the latency quantiles
// (a figure for NOTES.md, not an assertion: these machines are shared).
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	_, hs := testServer(t, model.VAE)
	const requests, clients = 20000, 32
	body := []byte(`{"z":[0.1,-0.3,0.5,0,1,-1,0.2,0.7]}`)
	lat := make([]time.Duration, requests)
	var errs, next int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= requests {
					return
				}
				t0 := time.Now()
				resp, err := http.Post(hs.URL+"/api/decode", "application/json", bytes.NewReader(body))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat[i] = time.Since(t0)
				if err != nil || resp.StatusCode != 200 {
					mu.Lock()
					errs++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	slices.Sort(lat)
	t.Logf("%d decode requests, %d clients: %.0f req/s, p50 %v, p99 %v, max %v, %d errors",
		requests, clients, float64(requests)/wall.Seconds(), lat[requests/2], lat[requests*99/100], lat[requests-1], errs)
	if errs != 0 {
		t.Errorf("%d of %d requests failed", errs, requests)
	}
}

// BenchmarkDecodeOne is the server-side work of one slider move: decoding a
// single latent vector with a pooled workspace.
func BenchmarkDecodeOne(b *testing.B) {
	s, _ := testServer(b, model.VAE)
	z := []float32{0.1, -0.3, 0.5, 0, 1, -1, 0.2, 0.7}
	img := make([]float32, model.Pixels)
	for b.Loop() {
		ws := s.pool.Get().(*model.Workspace)
		s.m.DecodeInto(img, ws, z, nil, 1)
		s.pool.Put(ws)
	}
}
