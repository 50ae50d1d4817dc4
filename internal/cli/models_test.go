package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-sh/reel/internal/config"
	"github.com/reel-sh/reel/internal/embed"
	"github.com/reel-sh/reel/internal/embed/embedtest"
)

// TestModelsPullListUse pulls the tiny model from a local HTTP server (the
// machine cannot reach Hugging Face), lists it, makes it the one in use,
// and checks that config.toml and the embedder follow.
func TestModelsPullListUse(t *testing.T) {
	e := newRecEnv(t)
	files := embedtest.Files("F32")
	srv := httptest.NewServer(http.StripPrefix("/tiny/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	})))
	defer srv.Close()
	args := []string{"models", "pull", "tiny", "--url", srv.URL + "/tiny", "--json"}
	for name, b := range files {
		s := sha256.Sum256(b)
		args = append(args, "--sha256", name+"="+hex.EncodeToString(s[:]))
	}
	// A wrong digest first: refused, exit code of corrupt data, nothing installed.
	bad := append([]string{}, args[:len(args)-2]...)
	bad = append(bad, "--sha256", args[len(args)-1][:strings.Index(args[len(args)-1], "=")]+"="+strings.Repeat("0", 64))
	if _, errs, code := e.run("", bad...); code == 0 || !strings.Contains(errs, "expected "+strings.Repeat("0", 64)) {
		t.Fatalf("wrong digest: code %d, %s", code, errs)
	}
	out, errs, code := e.run("", args...)
	if code != 0 {
		t.Fatalf("pull: %d %s", code, errs)
	}
	var res embed.PullResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Model.ID != "model2vec:tiny" || res.Model.Dim != 2 {
		t.Fatalf("pull --json: %v %s", err, out)
	}

	if out, errs, code = e.run("", "models", "use", "tiny"); code != 0 {
		t.Fatalf("use: %d %s", code, errs)
	}
	cfgFile := filepath.Join(e.env["REEL_HOME"], "config.toml")
	b, _ := os.ReadFile(cfgFile)
	if !strings.Contains(string(b), "[embed]\nprovider = \"model2vec\"\nmodel = \"tiny\"\n") {
		t.Fatalf("config.toml:\n%s", b)
	}
	cfg, err := config.Load(func(k string) string { return e.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	em, err := embed.FromConfig(cfg)
	if err != nil || em.Model().ID != "model2vec:tiny" {
		t.Fatalf("FromConfig: %v %v", em, err)
	}

	out, errs, code = e.run("", "models", "list", "--json")
	var list modelsList
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("list: %d %s %s", code, out, errs)
	}
	if list.InUse != "model2vec:tiny" || len(list.Installed) != 2 || !list.Installed[1].InUse || list.Installed[1].Dim != 2 || list.Installed[0].ID != embed.BuiltinID {
		t.Fatalf("list: %+v", list)
	}
	if out, _, _ = e.run("", "models", "list"); !strings.Contains(out, "model2vec:tiny") || !strings.Contains(out, embed.BuiltinID) {
		t.Fatalf("list:\n%s", out)
	}

	if _, errs, code = e.run("", "models", "use", "nope"); code == 0 || !strings.Contains(errs, "reel models pull nope") {
		t.Fatalf("use nope: %d %s", code, errs)
	}
	if _, errs, code = e.run("", "models", "use", "builtin"); code != 0 {
		t.Fatalf("use builtin: %s", errs)
	}
	b, _ = os.ReadFile(cfgFile)
	if strings.Count(string(b), "[embed]") != 1 || !strings.Contains(string(b), `provider = "builtin"`) {
		t.Fatalf("config.toml after use builtin:\n%s", b)
	}
}
