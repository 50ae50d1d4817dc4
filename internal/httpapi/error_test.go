package httpapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
)

func TestServer_ErrorMapping(t *testing.T) {
	// The supervisor fails Agent(key) with the code key names.
	sup := &fakeSupervisor{AgentFn: func(_ context.Context, key string) (reel.AgentSession, error) {
		switch key {
		case "plain":
			return reel.AgentSession{}, errors.New("open /secret/registry.db: SQL logic error near SELECT")
		case "wrapped":
			return reel.AgentSession{}, fmt.Errorf("read registry: %w",
				reel.Errorf(reel.EBUSY, "registry is locked by pid 7").WithHint("wait for it"))
		}
		return reel.AgentSession{}, &reel.Error{Code: key, Message: "the " + key + " message", Hint: "the " + key + " hint",
			Err: errors.New("cause of " + key)}
	}}
	c, path, logs := unixServer(t, Services{Supervisor: sup})
	hc := unixHTTP(path)
	for _, tc := range []struct {
		code   string
		status int
	}{
		{reel.ENOTFOUND, 404},
		{reel.EAMBIGUOUS, 409},
		{reel.EINVALID, 400},
		{reel.ECONFLICT, 409},
		{reel.EBUSY, 423},
		{reel.EUNSUPPORT, 501},
		{reel.ECORRUPT, 500},
	} {
		t.Run(tc.code, func(t *testing.T) {
			r := rawCall(t, hc, "GET", "http://reel/v1/agents/"+tc.code, nil, nil)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d", r.status, tc.status)
			}
			_, err := c.Agent(context.Background(), tc.code)
			re := wantCode(t, err, tc.code, "the "+tc.code+" message: cause of "+tc.code)
			if re.Hint != "the "+tc.code+" hint" {
				t.Fatalf("hint = %q", re.Hint)
			}
		})
	}
	t.Run("Wrapped", func(t *testing.T) {
		_, err := c.Agent(context.Background(), "wrapped")
		re := wantCode(t, err, reel.EBUSY, "read registry: registry is locked by pid 7")
		if re.Hint != "wait for it" {
			t.Fatalf("hint = %q", re.Hint)
		}
	})
	t.Run("InternalHidden", func(t *testing.T) {
		for _, key := range []string{"plain", reel.EINTERNAL} {
			r := rawCall(t, hc, "GET", "http://reel/v1/agents/"+key, nil, nil)
			if r.status != 500 {
				t.Fatalf("status = %d, want 500", r.status)
			}
			if e := errorOf(t, r); e.Code != reel.EINTERNAL || e.Message != "internal error" {
				t.Fatalf("error = %+v, want internal with no detail", e)
			}
			if strings.Contains(string(r.body), "secret") || strings.Contains(string(r.body), "cause of") {
				t.Fatalf("the detail leaked: %s", r.body)
			}
		}
		if !strings.Contains(logs.String(), "SQL logic error") || !strings.Contains(logs.String(), "cause of internal") {
			t.Fatalf("the log lacks the detail: %s", logs.String())
		}
	})
}

func TestServer_Unsupported(t *testing.T) {
	// A server of nothing answers every route that needs a service with
	// EUNSUPPORT, naming what it lacks.
	_, path, _ := unixServer(t, Services{})
	hc := unixHTTP(path)
	for _, rt := range apiRoutes() {
		if rt.Needs == "" {
			continue
		}
		t.Run(rt.ID, func(t *testing.T) {
			url := "http://reel" + strings.NewReplacer("{key}", "api", "{id}", "abc").Replace(rt.Path)
			if rt.ID == "sessionDiff" {
				url += "?a=x&b=y"
			}
			body := ""
			if rt.Method == "POST" {
				body = "{}"
			}
			r := rawCall(t, hc, rt.Method, url, strings.NewReader(body), nil)
			e := errorOf(t, r)
			if r.status != 501 || e.Code != reel.EUNSUPPORT || !strings.Contains(e.Message, "this server has no") {
				t.Fatalf("status %d, error %+v, want 501 unsupported", r.status, e)
			}
		})
	}
}

func TestServer_UnknownRoute(t *testing.T) {
	_, path, _ := unixServer(t, Services{})
	r := rawCall(t, unixHTTP(path), "GET", "http://reel/v2/sessions", nil, nil)
	if e := errorOf(t, r); r.status != 404 || e.Code != reel.ENOTFOUND || !strings.Contains(e.Hint, "openapi.json") {
		t.Fatalf("status %d, error %+v", r.status, e)
	}
}

func TestStatusOf(t *testing.T) {
	// Every reel code has its status, and none is left to the default
	// but the two that mean a server fault.
	for code, want := range map[string]int{reel.ENOTFOUND: 404, reel.EAMBIGUOUS: 409, reel.EINVALID: 400,
		reel.ECONFLICT: 409, reel.EBUSY: 423, reel.EUNSUPPORT: 501, reel.ECORRUPT: 500, reel.EINTERNAL: 500} {
		if got := statusOf(code); got != want {
			t.Errorf("statusOf(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestServer_Panic(t *testing.T) {
	sup := &fakeSupervisor{AgentsFn: func(context.Context) ([]reel.AgentSession, error) { panic("registry went away") }}
	c, _, logs := unixServer(t, Services{Supervisor: sup})
	_, err := c.Agents(context.Background())
	wantCode(t, err, reel.EINTERNAL, "internal error")
	if !strings.Contains(logs.String(), "registry went away") {
		t.Fatalf("the log lacks the panic: %s", logs.String())
	}
	if err := c.Health(context.Background()); err != nil {
		t.Fatalf("the server stopped answering: %v", err)
	}
}
