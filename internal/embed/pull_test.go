package embed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reel-sh/reel"
	"github.com/reel-sh/reel/internal/embed/embedtest"
)

// modelServer serves the tiny model's files the way a Hugging Face
// resolve URL does; truncate names a file that is cut off mid-body.
func modelServer(t *testing.T, truncate string) (*httptest.Server, map[string]string) {
	files := embedtest.Files("F16")
	digests := map[string]string{}
	for name, b := range files {
		s := sha256.Sum256(b)
		digests[name] = hex.EncodeToString(s[:])
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/tiny/resolve/main/")
		b, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if name == truncate {
			w.Write(b[:len(b)/2])
			return // the server closes the connection short of Content-Length
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, digests
}

func TestPullInstallsVerifiedModel(t *testing.T) {
	srv, digests := modelServer(t, "")
	root := t.TempDir()
	var progressed int64
	res, err := Pull(context.Background(), PullOptions{
		Name: "tiny", Root: root, BaseURL: srv.URL + "/tiny/resolve/main", SHA256: digests,
		Progress: func(file string, done, total int64) { progressed = done },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != (reel.ModelInfo{ID: "model2vec:tiny", Dim: 2}) || len(res.Files) != 3 || progressed == 0 {
		t.Fatalf("result %+v, progress %d", res, progressed)
	}
	m, err := LoadModel2Vec(filepath.Join(root, "tiny"), "tiny")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := m.Embed(context.Background(), []string{"hello worlds"})
	if math.Abs(float64(v[0][0])-3/math.Sqrt(13)) > 1e-6 { // hello + world + ##s = (3, 2)
		t.Fatalf("pulled model embeds %v", v)
	}
	// Pulling again replaces the copy; list shows one usable model.
	if _, err := Pull(context.Background(), PullOptions{Name: "tiny", Root: root, BaseURL: srv.URL + "/tiny/resolve/main", SHA256: digests}); err != nil {
		t.Fatal(err)
	}
	list, err := ListInstalled(root)
	if err != nil || len(list) != 1 || list[0].Dim != 2 || list[0].Vocab != len(embedtest.Vocab) || list[0].Error != "" || list[0].Bytes == 0 {
		t.Fatalf("ListInstalled = %+v, %v", list, err)
	}
}

func TestPullRefusesBadDownloads(t *testing.T) {
	srv, digests := modelServer(t, "")
	root := t.TempDir()
	wrong := map[string]string{}
	for k, v := range digests {
		wrong[k] = v
	}
	wrong["model.safetensors"] = strings.Repeat("ab", 32)
	_, err := Pull(context.Background(), PullOptions{Name: "tiny", Root: root, BaseURL: srv.URL + "/tiny/resolve/main", SHA256: wrong})
	if reel.ErrorCode(err) != reel.ECORRUPT || !strings.Contains(err.Error(), "model.safetensors") ||
		!strings.Contains(err.Error(), wrong["model.safetensors"]) || !strings.Contains(err.Error(), digests["model.safetensors"]) {
		t.Fatalf("wrong digest: %v", err)
	}
	assertNothingInstalled(t, root)

	cut, digests2 := modelServer(t, "model.safetensors")
	_, err = Pull(context.Background(), PullOptions{Name: "tiny", Root: root, BaseURL: cut.URL + "/tiny/resolve/main", SHA256: digests2})
	if reel.ErrorCode(err) != reel.ECORRUPT {
		t.Fatalf("truncated: %v", err)
	}
	assertNothingInstalled(t, root)

	// No digest for a file: refused before any download.
	delete(wrong, "tokenizer.json")
	if _, err := Pull(context.Background(), PullOptions{Name: "tiny", Root: root, BaseURL: srv.URL, SHA256: wrong}); reel.ErrorCode(err) != reel.EINVALID || reel.ErrorHint(err) == "" {
		t.Fatalf("missing digest: %v", err)
	}
	// The known models have no pinned digests: they need --sha256.
	if _, err := Pull(context.Background(), PullOptions{Name: "potion-base-8M", Root: root}); reel.ErrorCode(err) != reel.EINVALID {
		t.Fatalf("known model without digests: %v", err)
	}
	for _, bad := range []string{"../x", ".hidden", "a/b", ""} {
		if _, err := Pull(context.Background(), PullOptions{Name: bad, Root: root, BaseURL: srv.URL}); reel.ErrorCode(err) != reel.EINVALID {
			t.Errorf("name %q: %v", bad, err)
		}
	}
}

func assertNothingInstalled(t *testing.T, root string) {
	t.Helper()
	ents, _ := os.ReadDir(root)
	for _, e := range ents {
		if e.IsDir() {
			t.Fatalf("left %s in the models folder", e.Name())
		}
	}
	if list, _ := ListInstalled(root); len(list) != 0 {
		t.Fatalf("installed %+v", list)
	}
}
