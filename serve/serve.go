// Package serve is latent's web explorer: one page, embedded in the binary,
// that decodes latent vectors while sliders move, shows the test set's t-SNE
// map, interpolates between two digits and encodes digits drawn with the mouse,
// backed by a small JSON API. A conditional VAE gets a digit selector: the
// API's decode, encode, interpolate and test-image calls take the digit to
// draw.
package serve

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"latent/mnist"
	"latent/model"
	"latent/train"
	"latent/tsne"
)

//go:embed assets
var assets embed.FS

// MinMapPoints is the fewest test images New maps.
const MinMapPoints = 10

// MaxBody bounds every request body.
const MaxBody = 64 << 10

// Server holds a model, the test images and their map.
type Server struct {
	m      *model.Model
	test   *mnist.Set
	mapN   int       // test images on the map: 0..mapN-1
	xy     []float64 // their t-SNE coordinates [mapN][2]
	codes  []float32 // their codes [mapN][CodeDim]
	labels []uint8
	pool   sync.Pool // *model.Workspace for one image: decoding allocates nothing

	rngMu sync.Mutex
	rng   *rand.Rand // the random codes of /api/random
}

// Options configure New.
type Options struct {
	MapPoints int    // test images on the t-SNE map (default 2000)
	Seed      uint64 // of the random codes (and of t-SNE's noise for degenerate codes)
	Threads   int
	Progress  func(iter, total int) // t-SNE progress
}

// New encodes the first MapPoints test images (a conditional VAE: each with
// its own label) and maps them with t-SNE.
func New(m *model.Model, test *mnist.Set, opt Options) (*Server, error) {
	n := opt.MapPoints
	if n <= 0 {
		n = 2000
	}
	n = min(n, test.N)
	if n < MinMapPoints {
		return nil, fmt.Errorf("need at least %d test images for the map, have %d", MinMapPoints, n)
	}
	s := &Server{m: m, test: test, mapN: n, labels: test.Labels[:n], rng: rand.New(rand.NewPCG(opt.Seed, 0x5e4e))}
	s.pool.New = func() any { return m.NewWorkspace(1) }
	s.codes = train.EncodeSet(m, test, n, opt.Threads)
	to := tsne.DefaultOptions()
	to.Perplexity = min(to.Perplexity, float64(n-1)/3) // a small test set: fewer neighbours
	to.Seed, to.Threads, to.Progress = opt.Seed, opt.Threads, opt.Progress
	xy, err := tsne.Embed(s.codes, n, m.CodeDim(), to)
	if err != nil {
		return nil, err
	}
	s.xy = xy
	return s, nil
}

// Handler serves the page and the API. A known API path called with another
// method answers 405 with an Allow header; an unknown one 404.
func (s *Server) Handler() http.Handler {
	page := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	page.Handle("GET /", http.FileServerFS(static))
	mux := http.NewServeMux() // the API
	routes := []struct {
		method, path string
		h            http.HandlerFunc
	}{
		{"GET", "/api/info", s.info},
		{"GET", "/api/map", s.mapPoints},
		{"GET", "/api/test/{i}", s.testImage},
		{"GET", "/api/random", s.random},
		{"POST", "/api/decode", s.decode},
		{"POST", "/api/encode", s.encode},
		{"POST", "/api/interpolate", s.interpolate},
	}
	allow := map[string]string{} // path (its first segments for /api/test/{i}) → Allow
	for _, r := range routes {
		mux.HandleFunc(r.method+" "+r.path, r.h)
		a := r.method
		if a == "GET" {
			a = "GET, HEAD"
		}
		allow[strings.TrimSuffix(r.path, "{i}")] = a
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasPrefix(p, "/api/test/") && !strings.Contains(p[len("/api/test/"):], "/") {
			p = "/api/test/"
		}
		if a, ok := allow[p]; ok && !slices.Contains(strings.Split(a, ", "), r.Method) {
			w.Header().Set("Allow", a)
			fail(w, &apiError{http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, strings.Split(a, ",")[0])})
			return
		}
		fail(w, &apiError{http.StatusNotFound, r.Method + " " + r.URL.Path + " is not an API call"})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			mux.ServeHTTP(w, r)
			return
		}
		page.ServeHTTP(w, r)
	})
}

// apiError is a 4xx answer with a JSON body {"error": "..."}.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeJSON(w, ae.status, map[string]string{"error": ae.msg})
		return
	}
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
}

// readJSON decodes one JSON object of at most MaxBody bytes into v, strictly.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", MaxBody)}
		}
		return badRequest("bad JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("bad JSON: more than one value")
	}
	return nil
}

// DecodeRequest is a /api/decode body: a finite vector of CodeDim numbers
// (null is refused, not read as 0) and, for a conditional VAE, the digit to
// draw.
type DecodeRequest struct {
	Z     []*float64 `json:"z"`
	Digit *int       `json:"digit"`
}

// EncodeRequest is a drawn digit: 784 intensities in [0, 1], row by row,
// 1 for the stroke; a conditional VAE needs the digit it shows.
type EncodeRequest struct {
	Pixels []*float64 `json:"pixels"`
	Digit  *int       `json:"digit"`
}

// InterpolateRequest names two test images and a number of steps; a
// conditional VAE draws every step as digit, or (no digit) walks from the
// first image's digit to the second's.
type InterpolateRequest struct {
	From  int  `json:"from"`
	To    int  `json:"to"`
	Steps int  `json:"steps"`
	Digit *int `json:"digit"`
}

// digit validates a request's digit: a conditional VAE needs one in 0..9
// (unless optional), other models take none. It returns -1 for none.
func (s *Server) digit(d *int, optional bool) (int, error) {
	switch {
	case s.m.Cond() == 0 && d != nil:
		return 0, badRequest("digit: this %s is not conditional; send no digit", s.m.Kind)
	case s.m.Cond() == 0 || d == nil && optional:
		return -1, nil
	case d == nil:
		return 0, badRequest("digit is required: this conditional VAE draws the digit it is given, 0..%d", s.m.Cond()-1)
	case *d < 0 || *d >= s.m.Cond():
		return 0, badRequest("digit %d is outside 0..%d", *d, s.m.Cond()-1)
	}
	return *d, nil
}

// labels is the label slice of one image drawn as digit (nil for none).
func labels(digit int) []uint8 {
	if digit < 0 {
		return nil
	}
	return []uint8{uint8(digit)}
}

// ParseDecode validates a decode request body (exported for fuzzing).
func (s *Server) ParseDecode(req DecodeRequest) ([]float32, error) {
	if len(req.Z) != s.m.CodeDim() {
		return nil, badRequest("z has %d numbers, the model's code has %d", len(req.Z), s.m.CodeDim())
	}
	z := make([]float32, len(req.Z))
	for i, v := range req.Z {
		if v == nil {
			return nil, badRequest("z[%d] is null; send a number", i)
		}
		if math.IsNaN(*v) || math.IsInf(*v, 0) || math.Abs(*v) > 1e4 {
			return nil, badRequest("z[%d] = %g is not a usable number", i, *v)
		}
		z[i] = float32(*v)
	}
	return z, nil
}

// ParseEncode validates an encode request body (exported for fuzzing).
func ParseEncode(req EncodeRequest) ([]float32, error) {
	if len(req.Pixels) != model.Pixels {
		return nil, badRequest("pixels has %d values, want %d (28×28)", len(req.Pixels), model.Pixels)
	}
	x := make([]float32, model.Pixels)
	for i, v := range req.Pixels {
		if v == nil {
			return nil, badRequest("pixels[%d] is null; send a number in [0, 1]", i)
		}
		if !(*v >= 0 && *v <= 1) {
			return nil, badRequest("pixels[%d] = %g is outside [0, 1]", i, *v)
		}
		x[i] = float32((*v - 0.5) / 0.5) // the models' scale
	}
	return x, nil
}

// gray turns a model image in [-1, 1] into 0..255 bytes for the page.
func gray(img []float32) []int {
	out := make([]int, len(img))
	for i, v := range img {
		out[i] = int(math.Round(float64(max(0, min(1, (v+1)/2))) * 255))
	}
	return out
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	prior := ""
	switch {
	case s.m.Prior != nil:
		prior = fmt.Sprintf("a %d-component Gaussian mixture fitted to the training codes", s.m.Prior.K())
	case s.m.IsVAE():
		prior = "N(0, I)"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"kind": s.m.Kind, "codeDim": s.m.CodeDim(), "latent": s.m.Latent, "mapPoints": s.mapN, "testImages": s.test.N,
		"classes": s.m.Cond(), "prior": prior, "side": model.Side})
}

// random draws a code from the model's prior (its stored mixture, or
// N(0, I)). An AE has none: its random codes are noise, not digits.
func (s *Server) random(w http.ResponseWriter, r *http.Request) {
	if !s.m.IsVAE() {
		fail(w, badRequest("an AE has no prior to draw codes from: its training never asked the codes of real digits to fill any region, so random codes decode to noise"))
		return
	}
	z := make([]float32, s.m.CodeDim())
	s.rngMu.Lock()
	s.m.SamplePrior(z, 1, s.rng)
	s.rngMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"z": z})
}

func (s *Server) mapPoints(w http.ResponseWriter, r *http.Request) {
	pts := make([][3]float64, s.mapN)
	for i := range pts {
		pts[i] = [3]float64{s.xy[2*i], s.xy[2*i+1], float64(s.labels[i])}
	}
	writeJSON(w, http.StatusOK, map[string]any{"points": pts})
}

func (s *Server) testImage(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 0 || i >= s.test.N {
		fail(w, badRequest("test image index must be 0..%d", s.test.N-1))
		return
	}
	var dp *int
	if q := r.URL.Query(); q.Has("digit") {
		d, err := strconv.Atoi(q.Get("digit"))
		if err != nil {
			fail(w, badRequest("digit %q is not a number 0..9", q.Get("digit")))
			return
		}
		dp = &d
	}
	digit, err := s.digit(dp, true)
	if err != nil {
		fail(w, err)
		return
	}
	// a conditional VAE encodes the image with its own label and draws the
	// code as digit (default: that label too)
	x := make([]float32, model.Pixels)
	own := make([]uint8, 1)
	s.test.Fill(x, own, []int{i})
	z := s.m.EncodeLabeled(x, own, 1, nil)
	draw := own
	if digit >= 0 {
		draw = labels(digit)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"index": i, "label": s.test.Labels[i], "pixels": gray(x), "recon": gray(s.m.DecodeLabeled(z, draw, 1)), "z": z})
}

func (s *Server) decode(w http.ResponseWriter, r *http.Request) {
	var req DecodeRequest
	if err := readJSON(w, r, &req); err != nil {
		fail(w, err)
		return
	}
	z, err := s.ParseDecode(req)
	if err != nil {
		fail(w, err)
		return
	}
	digit, err := s.digit(req.Digit, false)
	if err != nil {
		fail(w, err)
		return
	}
	ws := s.pool.Get().(*model.Workspace)
	img := make([]float32, model.Pixels)
	s.m.DecodeInto(img, ws, z, labels(digit), 1)
	s.pool.Put(ws)
	writeJSON(w, http.StatusOK, map[string]any{"pixels": gray(img)})
}

func (s *Server) encode(w http.ResponseWriter, r *http.Request) {
	var req EncodeRequest
	if err := readJSON(w, r, &req); err != nil {
		fail(w, err)
		return
	}
	x, err := ParseEncode(req)
	if err != nil {
		fail(w, err)
		return
	}
	digit, err := s.digit(req.Digit, false)
	if err != nil {
		fail(w, err)
		return
	}
	z := s.m.EncodeLabeled(x, labels(digit), 1, nil)
	xy := s.place(z)
	writeJSON(w, http.StatusOK, map[string]any{"z": z, "recon": gray(s.m.DecodeLabeled(z, labels(digit), 1)), "map": xy})
}

// place puts a new code on the map: the mean position of its 5 nearest
// mapped codes (t-SNE has no out-of-sample transform).
func (s *Server) place(z []float32) [2]float64 {
	d := len(z)
	const k = 5
	type nb struct {
		d float64
		i int
	}
	var best []nb
	for i := range s.mapN {
		var dist float64
		for t, v := range z {
			df := float64(v - s.codes[i*d+t])
			dist += df * df
		}
		if len(best) < k || dist < best[len(best)-1].d {
			pos := len(best)
			for pos > 0 && best[pos-1].d > dist {
				pos--
			}
			best = append(best, nb{})
			copy(best[pos+1:], best[pos:])
			best[pos] = nb{dist, i}
			best = best[:min(len(best), k)]
		}
	}
	var x, y float64
	for _, b := range best {
		x += s.xy[2*b.i]
		y += s.xy[2*b.i+1]
	}
	return [2]float64{x / float64(len(best)), y / float64(len(best))}
}

func (s *Server) interpolate(w http.ResponseWriter, r *http.Request) {
	var req InterpolateRequest
	if err := readJSON(w, r, &req); err != nil {
		fail(w, err)
		return
	}
	if req.From < 0 || req.From >= s.test.N || req.To < 0 || req.To >= s.test.N {
		fail(w, badRequest("from and to must be test image indices 0..%d", s.test.N-1))
		return
	}
	if req.Steps < 2 || req.Steps > 32 {
		fail(w, badRequest("steps must be 2..32"))
		return
	}
	digit, err := s.digit(req.Digit, true)
	if err != nil {
		fail(w, err)
		return
	}
	x := make([]float32, 2*model.Pixels)
	own := make([]uint8, 2)
	s.test.Fill(x, own, []int{req.From, req.To})
	imgs := s.m.Interpolate(x, own, digit, req.Steps)
	out := make([][]int, req.Steps)
	for i := range out {
		out[i] = gray(imgs[i*model.Pixels : (i+1)*model.Pixels])
	}
	writeJSON(w, http.StatusOK, map[string]any{"images": out})
}
