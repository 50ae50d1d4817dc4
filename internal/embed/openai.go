package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/reel-sh/reel"
)

// OpenAIOptions configures an OpenAI-compatible embeddings endpoint.
type OpenAIOptions struct {
	// URL is the endpoint's base URL (http://127.0.0.1:11434/v1) or the
	// full /embeddings URL.
	URL string
	// Model is the model the endpoint serves, sent in every request.
	Model string
	// APIKey is sent as a bearer token when set. It never appears in an
	// error or a log.
	APIKey string
	// Dim, when > 0, is the dimension every vector must have; it is sent
	// as "dimensions". When 0, the first response sets it.
	Dim int
	// BatchSize is how many texts go in one request. Default 64.
	BatchSize int
	// Timeout bounds one request. Default 30s.
	Timeout time.Duration
	// Retries is how many times a 429 or 5xx answer (or a connection
	// error) is retried, with backoff from 500ms doubling. Default 4;
	// negative for none.
	Retries int
	// Client is the HTTP client; default a new one.
	Client *http.Client
}

// OpenAI embeds through an OpenAI-compatible /v1/embeddings endpoint
// (OpenAI, Ollama, llama.cpp server, vLLM, ...). Its ModelInfo.ID is
// "openai:<model>". It is safe for concurrent use.
type OpenAI struct {
	opts     OpenAIOptions
	endpoint string
	backoff  time.Duration
	mu       sync.Mutex
	dim      int
}

// NewOpenAI checks opts and returns the provider. It does not contact
// the endpoint.
func NewOpenAI(opts OpenAIOptions) (*OpenAI, error) {
	if opts.URL == "" || opts.Model == "" {
		return nil, reel.Errorf(reel.EINVALID, "openai embeddings need a url and a model").
			WithHint(`set [embed] url = "http://127.0.0.1:11434/v1" and model = "..." in config.toml`)
	}
	if !strings.HasPrefix(opts.URL, "http://") && !strings.HasPrefix(opts.URL, "https://") {
		return nil, reel.Errorf(reel.EINVALID, "openai embeddings url %q is not http:// or https://", opts.URL)
	}
	if opts.Dim < 0 {
		return nil, reel.Errorf(reel.EINVALID, "openai embeddings dim %d is negative", opts.Dim)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 64
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Retries == 0 {
		opts.Retries = 4
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	ep := strings.TrimRight(opts.URL, "/")
	if !strings.HasSuffix(ep, "/embeddings") {
		ep += "/embeddings"
	}
	return &OpenAI{opts: opts, endpoint: ep, dim: opts.Dim, backoff: 500 * time.Millisecond}, nil
}

// Model returns "openai:<model>" and the dimension: the configured one,
// else the one the endpoint answered with, else 0 before the first call.
func (o *OpenAI) Model() reel.ModelInfo {
	o.mu.Lock()
	defer o.mu.Unlock()
	return reel.ModelInfo{ID: "openai:" + o.opts.Model, Dim: o.dim}
}

// Endpoint returns the URL requests go to.
func (o *OpenAI) Endpoint() string { return o.endpoint }

type embedRequest struct {
	Model      string   `json:"model"`
	Input      []string `json:"input"`
	Dimensions int      `json:"dimensions,omitempty"`
}

type embedResponse struct {
	Data []struct {
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	} `json:"data"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// Embed sends texts in batches and returns unit vectors in order.
// EUNSUPPORT when the endpoint cannot be reached or keeps failing,
// ECORRUPT when it answers with something other than one vector of the
// model's dimension per text.
func (o *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += o.opts.BatchSize {
		end := min(start+o.opts.BatchSize, len(texts))
		vs, err := o.batch(ctx, texts[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

func (o *OpenAI) batch(ctx context.Context, texts []string) ([][]float32, error) {
	body, err := json.Marshal(embedRequest{Model: o.opts.Model, Input: texts, Dimensions: o.opts.Dim})
	if err != nil {
		return nil, fmt.Errorf("encode embeddings request: %w", err)
	}
	wait := o.backoff
	for attempt := 0; ; attempt++ {
		vs, retry, err := o.post(ctx, body, len(texts))
		if err == nil {
			return vs, nil
		}
		if !retry || attempt >= o.opts.Retries || ctx.Err() != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// post makes one request; retry says whether a failure is worth another.
func (o *OpenAI) post(ctx context.Context, body []byte, n int) ([][]float32, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, o.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, false, reel.Errorf(reel.EINVALID, "embeddings endpoint %s: %v", o.endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if o.opts.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+o.opts.APIKey)
	}
	resp, err := o.opts.Client.Do(req)
	if err != nil {
		return nil, true, (&reel.Error{Code: reel.EUNSUPPORT, Message: "embeddings endpoint " + o.endpoint + " cannot be reached", Err: err}).
			WithHint("start the embedding server, or set [embed] provider in config.toml to another provider")
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, true, &reel.Error{Code: reel.EUNSUPPORT, Message: "read the answer of embeddings endpoint " + o.endpoint, Err: err}
	}
	var r embedResponse
	jsonErr := json.Unmarshal(raw, &r)
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(raw))
		if jsonErr == nil && r.Error != nil && r.Error.Message != "" {
			msg = r.Error.Message
		}
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		e := reel.Errorf(reel.EUNSUPPORT, "embeddings endpoint %s answered %s: %s", o.endpoint, resp.Status, msg)
		switch {
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
			e.WithHint("check the key in the variable that [embed] api_key_env names")
		case resp.StatusCode == http.StatusNotFound:
			e.WithHint("check [embed] url (it should end in /v1) and that the server serves model " + o.opts.Model)
		}
		return nil, resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, e
	}
	if jsonErr != nil {
		return nil, false, &reel.Error{Code: reel.ECORRUPT, Message: "embeddings endpoint " + o.endpoint + " answered with something that is not an embeddings response", Err: jsonErr}
	}
	if len(r.Data) != n {
		return nil, false, reel.Errorf(reel.ECORRUPT, "embeddings endpoint %s answered %d vectors for %d texts", o.endpoint, len(r.Data), n)
	}
	out := make([][]float32, n)
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, d := range r.Data {
		if d.Index < 0 || d.Index >= n || out[d.Index] != nil {
			return nil, false, reel.Errorf(reel.ECORRUPT, "embeddings endpoint %s answered a bad or repeated index %d", o.endpoint, d.Index)
		}
		if o.dim == 0 && len(d.Embedding) > 0 {
			o.dim = len(d.Embedding)
		}
		if len(d.Embedding) != o.dim {
			return nil, false, reel.Errorf(reel.ECORRUPT, "embeddings endpoint %s answered a vector of %d dimensions, want %d", o.endpoint, len(d.Embedding), o.dim).
				WithHint("set [embed] dim to the model's dimension, or leave it unset")
		}
		normalize(d.Embedding)
		out[d.Index] = d.Embedding
	}
	return out, false, nil
}
