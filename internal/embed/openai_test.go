package embed

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reel-sh/reel"
)

// fakeEmbeddings is a fake OpenAI /v1/embeddings server (the machine has
// no embedding server): it speaks the real wire format and answers each
// input with the vector (len(text), 1, 0), in reverse order of index to
// check that the client orders by index.
type fakeEmbeddings struct {
	fail     atomic.Int32 // answer this many requests with 503 first
	requests atomic.Int32
	dim      int
	auth     atomic.Value
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if r.URL.Path != "/v1/embeddings" || r.Method != http.MethodPost {
		http.Error(w, `{"error":{"message":"no such route"}}`, http.StatusNotFound)
		return
	}
	f.auth.Store(r.Header.Get("Authorization"))
	if f.fail.Load() > 0 {
		f.fail.Add(-1)
		http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
		return
	}
	var req struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" {
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	}
	var data []item
	for i := len(req.Input) - 1; i >= 0; i-- {
		v := make([]float32, f.dim)
		v[0], v[1] = float32(len(req.Input[i])), 1
		data = append(data, item{"embedding", v, i})
	}
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model, "usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
}

func newFake(t *testing.T, dim int) (*fakeEmbeddings, *httptest.Server) {
	f := &fakeEmbeddings{dim: dim}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func TestOpenAIEmbeds(t *testing.T) {
	f, srv := newFake(t, 3)
	o, err := NewOpenAI(OpenAIOptions{URL: srv.URL + "/v1/", Model: "nomic", APIKey: "sekret", BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := o.Embed(context.Background(), []string{"abc", "abcd", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if f.requests.Load() != 2 {
		t.Errorf("requests = %d, want 2 batches", f.requests.Load())
	}
	if got := f.auth.Load(); got != "Bearer sekret" {
		t.Errorf("Authorization = %q", got)
	}
	for i, n := range []float64{3, 4, 1} {
		want := []float64{n / math.Sqrt(n*n+1), 1 / math.Sqrt(n*n+1), 0}
		for j := range want {
			if math.Abs(float64(vs[i][j])-want[j]) > 1e-6 {
				t.Fatalf("vector %d = %v, want %v", i, vs[i], want)
			}
		}
	}
	if m := o.Model(); m != (reel.ModelInfo{ID: "openai:nomic", Dim: 3}) {
		t.Errorf("Model() = %+v", m)
	}
}

func TestOpenAIRetriesAndErrors(t *testing.T) {
	f, srv := newFake(t, 3)
	o, _ := NewOpenAI(OpenAIOptions{URL: srv.URL + "/v1", Model: "m", APIKey: "sekret", Retries: 2})
	o.backoff = time.Millisecond
	f.fail.Store(2)
	if _, err := o.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatalf("two 503s then success: %v", err)
	}
	f.fail.Store(5)
	_, err := o.Embed(context.Background(), []string{"x"})
	if reel.ErrorCode(err) != reel.EUNSUPPORT || !strings.Contains(err.Error(), srv.URL+"/v1/embeddings") || !strings.Contains(err.Error(), "overloaded") {
		t.Fatalf("persistent 503: %v", err)
	}
	if strings.Contains(err.Error(), "sekret") {
		t.Fatal("the key leaked into an error")
	}
	f.fail.Store(0)

	// A configured dimension the server does not give.
	o2, _ := NewOpenAI(OpenAIOptions{URL: srv.URL + "/v1", Model: "m", Dim: 8})
	if _, err := o2.Embed(context.Background(), []string{"x"}); reel.ErrorCode(err) != reel.ECORRUPT {
		t.Fatalf("dim mismatch: %v", err)
	}
	// Wrong path: 404 is not retried, and hints at the url.
	n := f.requests.Load()
	o3, _ := NewOpenAI(OpenAIOptions{URL: srv.URL + "/nope", Model: "m"})
	_, err = o3.Embed(context.Background(), []string{"x"})
	if reel.ErrorHint(err) == "" || f.requests.Load() != n+1 {
		t.Fatalf("404: %v (requests %d)", err, f.requests.Load()-n)
	}
	// Nothing listening.
	srv.Close()
	o4, _ := NewOpenAI(OpenAIOptions{URL: srv.URL, Model: "m", Retries: -1})
	if _, err := o4.Embed(context.Background(), []string{"x"}); reel.ErrorCode(err) != reel.EUNSUPPORT {
		t.Fatalf("down: %v", err)
	}
	if _, err := NewOpenAI(OpenAIOptions{URL: "ftp://x", Model: "m"}); reel.ErrorCode(err) != reel.EINVALID {
		t.Fatalf("ftp: %v", err)
	}
}
