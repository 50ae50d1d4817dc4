package httpapi

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestServer_OpenAPI(t *testing.T) {
	_, path, _ := unixServer(t, Services{})
	r := rawCall(t, unixHTTP(path), "GET", "http://reel/openapi.json", nil, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name, In string
			} `json:"parameters"`
			RequestBody *json.RawMessage           `json:"requestBody"`
			Responses   map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	// Every route the brief names, and every route served, is documented
	// with its query parameters.
	named := []string{"GET /v1/agents", "POST /v1/agents", "GET /v1/agents/{key}", "POST /v1/agents/{key}/pause",
		"POST /v1/agents/{key}/resume", "POST /v1/agents/{key}/stop", "POST /v1/agents/{key}/send",
		"GET /v1/agents/{key}/output", "POST /v1/agents/adopt", "POST /v1/reap", "GET /v1/sessions",
		"GET /v1/sessions/{id}", "GET /v1/sessions/{id}/events", "GET /v1/sessions/{id}/replay",
		"GET /v1/sessions/{id}/diff", "GET /v1/sessions/{id}/checkpoints", "POST /v1/sessions/{id}/checkpoints",
		"GET /v1/sessions/{id}/export", "GET /v1/search", "POST /v1/sync", "GET /v1/status", "POST /v1/hooks",
		"GET /healthz", "GET /openapi.json"}
	served := map[string]bool{}
	for _, rt := range apiRoutes() {
		key := rt.Method + " " + rt.Path
		served[key] = true
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s is not in the document", key)
			continue
		}
		if op.OperationID != rt.ID {
			t.Errorf("%s: operationId %q, want %q", key, op.OperationID, rt.ID)
		}
		have := map[string]bool{}
		for _, p := range op.Parameters {
			have[p.In+":"+p.Name] = true
		}
		for _, p := range rt.Params {
			if !have["query:"+p.Name] {
				t.Errorf("%s: query parameter %s is not documented", key, p.Name)
			}
		}
		if strings.Contains(rt.Path, "{") && len(op.Parameters) == 0 {
			t.Errorf("%s: no path parameter", key)
		}
		if (rt.Body != nil) != (op.RequestBody != nil) {
			t.Errorf("%s: request body documented %v, route has one %v", key, op.RequestBody != nil, rt.Body != nil)
		}
		if _, ok := op.Responses["default"]; !ok || len(op.Responses) < 2 {
			t.Errorf("%s: responses %v lack success or default", key, op.Responses)
		}
	}
	for _, k := range named {
		if !served[k] {
			t.Errorf("%s is not served", k)
		}
	}
	n := 0
	for _, item := range doc.Paths {
		n += len(item)
	}
	if n != len(served) {
		t.Errorf("the document has %d operations, the server %d routes", n, len(served))
	}
	// Every $ref names a schema of the document.
	for _, m := range regexp.MustCompile(`"\$ref": "#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(r.body), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("$ref to missing schema %s", m[1])
		}
	}
	for _, name := range []string{"AgentSession", "Session", "Event", "Hit", "Checkpoint", "Diff", "Step", "HookEvent", "Error"} {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("schema %s is missing", name)
		}
	}
	var ev struct {
		Properties map[string]map[string]any `json:"properties"`
	}
	json.Unmarshal(doc.Components.Schemas["Event"], &ev)
	if ev.Properties["time"]["format"] != "date-time" || ev.Properties["duration_ns"]["type"] != "integer" {
		t.Errorf("Event schema: time %v, duration_ns %v", ev.Properties["time"], ev.Properties["duration_ns"])
	}
}
